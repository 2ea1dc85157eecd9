package org.jvmos.sample;

import java.util.List;
import java.util.stream.Collectors;
import org.jvmos.sample.util.Inventory;
import org.jvmos.sample.util.Item;

/** Entry point of the javac comparison tree: packages, generics, records, lambdas, inner classes. */
public final class App {
    private App() {}

    public static void main(String[] args) {
        Inventory<Item> inv = new Inventory<>();
        inv.add(new Item("bolt", 3, 0.25));
        inv.add(new Item("nut", 10, 0.05));
        inv.add(new Item("gear", 1, 12.5));
        List<String> names = inv.sorted().stream().map(Item::name).collect(Collectors.toList());
        System.out.println(names + " total " + inv.total(i -> i.count() * i.price()));
        Runnable r = new Runnable() {
            @Override
            public void run() {
                System.out.println("anonymous inner class in " + App.class.getSimpleName());
            }
        };
        r.run();
        switch (names.size()) {
            case 3 -> System.out.println("three");
            default -> System.out.println("other");
        }
    }
}

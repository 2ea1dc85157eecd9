package org.jvmos.sample.util;

/** An inventory line. */
public record Item(String name, int count, double price) implements Comparable<Item> {
    public Item {
        if (count < 0) throw new IllegalArgumentException("negative count " + count);
    }

    @Override
    public int compareTo(Item o) {
        return name.compareTo(o.name);
    }
}

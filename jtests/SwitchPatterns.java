import java.util.*;

// Pattern matching for switch as Java 17 has it: a preview feature (JEP 406), compiled with
// --enable-preview --release 17 and run with --enable-preview. Type patterns, guarded patterns
// (17's `&&` form), case null, and exhaustive switches over a sealed hierarchy.
public class SwitchPatterns {
    sealed interface Vehicle permits Car, Truck, Bike {}
    record Car(String make, int seats) implements Vehicle {}
    record Truck(double tons) implements Vehicle {}
    record Bike(boolean electric) implements Vehicle {}

    static String describe(Object o) {
        return switch (o) {
            case null -> "null!";
            case Integer i && i > 100 -> "big int " + i;
            case Integer i -> "int " + i;
            case Long l -> "long " + l;
            case String s && s.isEmpty() -> "empty string";
            case String s -> "string of " + s.length();
            case int[] arr -> "int array of " + arr.length;
            case Vehicle v -> "vehicle " + toll(v);
            case List<?> list && list.size() > 2 -> "long list";
            case Collection<?> c -> "collection of " + c.size();
            default -> "other " + o.getClass().getSimpleName();
        };
    }

    static int toll(Vehicle v) {
        return switch (v) {   // exhaustive: no default needed for a sealed interface
            case Car c && c.seats() > 5 -> 12;
            case Car c -> 8;
            case Truck t -> (int) Math.round(t.tons() * 10);
            case Bike b -> b.electric() ? 2 : 0;
        };
    }

    public static void main(String[] args) {
        Object[] things = {null, 7, 1234, 5L, "", "hello", new int[4], new Car("vw", 4), new Car("van", 9),
                new Truck(7.25), new Bike(true), List.of(1, 2, 3), Set.of(1), 3.5, 'c'};
        for (Object o : things) System.out.println(describe(o));
        int total = 0;
        for (int i = 0; i < 100_000; i++) {
            Vehicle v = switch (i % 3) {
                case 0 -> new Car("x", i % 8);
                case 1 -> new Truck(i % 5);
                default -> new Bike(i % 2 == 0);
            };
            total += toll(v);
        }
        System.out.println("tolls " + total);
    }
}

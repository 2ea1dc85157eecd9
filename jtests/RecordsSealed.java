import java.util.*;

// Java 16/17 language features: records (compact constructors, equals/hashCode/toString, local
// and generic records), sealed interfaces and classes, pattern matching for instanceof, switch
// expressions with yield, text blocks.
public class RecordsSealed {
    sealed interface Shape permits Circle, Square, Rect, Polygon {}
    record Circle(double r) implements Shape {
        Circle {
            if (r < 0) throw new IllegalArgumentException("negative radius " + r);
        }
    }
    record Square(double side) implements Shape {}
    record Rect(double w, double h) implements Shape {
        Rect(double side) { this(side, side); }
        static Rect of(String spec) {
            String[] p = spec.split("x");
            return new Rect(Double.parseDouble(p[0]), Double.parseDouble(p[1]));
        }
    }
    static non-sealed class Polygon implements Shape {
        final int sides;
        Polygon(int sides) { this.sides = sides; }
    }
    static final class Triangle extends Polygon { Triangle() { super(3); } }

    sealed interface Expr permits Num, Add, Mul, Neg {}
    record Num(int v) implements Expr {}
    record Add(Expr l, Expr r) implements Expr {}
    record Mul(Expr l, Expr r) implements Expr {}
    record Neg(Expr e) implements Expr {}

    record Pair<A, B>(A first, B second) {
        <C> Pair<A, C> withSecond(C c) { return new Pair<>(first, c); }
    }
    record Range(int lo, int hi) implements Comparable<Range>, Iterable<Integer> {
        Range {
            if (lo > hi) { int t = lo; lo = hi; hi = t; }
        }
        int length() { return hi - lo; }
        public int compareTo(Range o) { return Integer.compare(length(), o.length()); }
        public Iterator<Integer> iterator() {
            return new Iterator<>() {
                int next = lo;
                public boolean hasNext() { return next < hi; }
                public Integer next() { return next++; }
            };
        }
    }
    enum Day { MON, TUE, WED, THU, FRI, SAT, SUN }

    static double area(Shape s) {
        if (s instanceof Circle c) return Math.PI * c.r() * c.r();
        if (s instanceof Square sq) return sq.side() * sq.side();
        if (s instanceof Rect r && r.w() == r.h()) return r.w() * r.w();
        if (s instanceof Rect r) return r.w() * r.h();
        if (s instanceof Polygon p) return p.sides;
        throw new AssertionError();
    }

    static int eval(Expr e) {
        if (e instanceof Num n) return n.v();
        if (e instanceof Add a) return eval(a.l()) + eval(a.r());
        if (e instanceof Mul m) return eval(m.l()) * eval(m.r());
        if (e instanceof Neg n) return -eval(n.e());
        throw new AssertionError();
    }

    static String show(Expr e) {
        if (e instanceof Num n) return Integer.toString(n.v());
        if (e instanceof Add a) return "(" + show(a.l()) + " + " + show(a.r()) + ")";
        if (e instanceof Mul m) return show(m.l()) + " * " + show(m.r());
        if (e instanceof Neg n) return "-" + show(n.e());
        return "?";
    }

    static String kind(Day d) {
        return switch (d) {
            case SAT, SUN -> "weekend";
            case FRI -> {
                String s = "almost";
                yield s + " weekend";
            }
            default -> "weekday";
        };
    }

    static int letters(String s) {
        return switch (s) {
            case "one", "two" -> 3;
            case "three" -> 5;
            default -> {
                if (s.isEmpty()) yield 0;
                yield s.length();
            }
        };
    }

    @SuppressWarnings("fallthrough")
    static String oldSwitch(int n) {
        StringBuilder sb = new StringBuilder();
        switch (n) {
            case 1: sb.append("one ");
            case 2: sb.append("two "); break;
            case 3: sb.append("three ");
            default: sb.append("other");
        }
        return sb.toString().trim();
    }

    public static void main(String[] args) {
        List<Shape> shapes = List.of(new Circle(1), new Square(2), new Rect(2, 3), new Rect(4), Rect.of("1.5x2"), new Triangle());
        for (Shape s : shapes) System.out.println(String.format(Locale.ROOT, "%-40s area %.4f", s instanceof Polygon p ? "Polygon(" + p.sides + ")" : s, area(s)));
        try {
            new Circle(-1);
        } catch (IllegalArgumentException e) {
            System.out.println("compact constructor check: " + e.getMessage());
        }
        Circle a = new Circle(2.5), b = new Circle(2.5);
        System.out.println("record equals " + a.equals(b) + " same " + (a == b) + " hash equal " + (a.hashCode() == b.hashCode())
                + " toString " + a);
        Set<Object> set = new HashSet<>(List.of(new Num(1), new Num(1), new Num(2), new Pair<>("a", 1), new Pair<>("a", 1)));
        System.out.println("records in a set " + set.size());
        Expr e = new Add(new Mul(new Num(6), new Num(7)), new Neg(new Add(new Num(1), new Num(2))));
        System.out.println("expr " + show(e) + " = " + eval(e) + " record toString " + e);
        Pair<String, Integer> p = new Pair<>("k", 1);
        System.out.println("generic record " + p + " -> " + p.withSecond(List.of(1, 2)));
        Range r = new Range(10, 4);
        int sum = 0;
        for (int i : r) sum += i;
        System.out.println("normalised range " + r + " length " + r.length() + " iterated sum " + sum
                + " max " + Collections.max(List.of(new Range(0, 3), r, new Range(1, 2))));
        record Local(String name, int score) {}
        List<Local> scores = new ArrayList<>(List.of(new Local("b", 2), new Local("a", 3), new Local("c", 1)));
        scores.sort(Comparator.comparingInt(Local::score));
        System.out.println("local record " + scores);
        System.out.println("sealed " + Shape.class.isSealed() + " permitted " + Arrays.stream(Shape.class.getPermittedSubclasses())
                .map(Class::getSimpleName).sorted().toList() + " record " + Circle.class.isRecord() + " Polygon sealed "
                + Polygon.class.isSealed());
        StringBuilder days = new StringBuilder();
        for (Day d : Day.values()) days.append(d).append('=').append(kind(d)).append(' ');
        System.out.println(days.toString().trim());
        System.out.println("string switch " + letters("one") + letters("three") + letters("") + letters("sixteen")
                + " classic switch [" + oldSwitch(1) + "][" + oldSwitch(3) + "][" + oldSwitch(9) + "]");
        Object o = 42;
        if (o instanceof Integer i && i > 40) System.out.println("instanceof pattern with condition " + (i + 1));
        if (!(o instanceof String str)) System.out.println("negated pattern: not a string");
        else System.out.println(str);
        String json = """
                {
                  "name": "jvmos",
                  "tests": %d
                }""".formatted(25);
        System.out.println(json);
        var inferred = new ArrayList<Map<String, List<Integer>>>();
        inferred.add(Map.of("k", List.of(1)));
        System.out.println("var " + inferred);
    }
}

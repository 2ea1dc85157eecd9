import java.util.*;
import java.util.function.*;
import java.util.stream.*;

// Lambdas and method references: the java.util.function interfaces, composition, currying,
// captures, the four kinds of method reference, custom functional interfaces, Optional chains.
public class Lambdas {
    @FunctionalInterface
    interface TriFunction<A, B, C, R> {
        R apply(A a, B b, C c);
        default <V> TriFunction<A, B, C, V> andThen(Function<? super R, ? extends V> after) {
            return (a, b, c) -> after.apply(apply(a, b, c));
        }
    }

    static class Counter {
        private int n;
        Counter(int start) { n = start; }
        int next() { return n++; }
        static int compareByValue(Integer a, Integer b) { return Integer.compare(a, b); }
    }

    static String shout(String s) { return s.toUpperCase(Locale.ROOT) + "!"; }

    public static void main(String[] args) {
        Function<Integer, Integer> plus2 = x -> x + 2, times3 = x -> x * 3;
        System.out.println("compose " + plus2.compose(times3).apply(5) + " andThen " + plus2.andThen(times3).apply(5)
                + " identity " + Function.<Integer>identity().apply(9));
        BiFunction<Integer, Integer, Integer> pow = (b, e) -> { int r = 1; for (int i = 0; i < e; i++) r *= b; return r; };
        System.out.println("bifunction " + pow.apply(3, 4) + " andThen " + pow.andThen(x -> -x).apply(2, 10));
        Predicate<String> empty = String::isEmpty, longish = s -> s.length() > 4;
        List<String> words = List.of("", "tiny", "lambda", "x", "reference", "");
        System.out.println("predicates " + words.stream().filter(empty.negate().and(longish.or(s -> s.equals("x")))).toList()
                + " not " + words.stream().filter(Predicate.not(empty)).count() + " isEqual " + Predicate.isEqual("x").test("x"));
        Supplier<List<String>> sup = ArrayList::new;
        List<String> fresh = sup.get();
        fresh.add("supplied");
        Consumer<List<String>> addA = l -> l.add("a"), addB = l -> l.add("b");
        addA.andThen(addB).accept(fresh);
        System.out.println("supplier/consumer " + fresh);
        UnaryOperator<String> up = String::toUpperCase;
        BinaryOperator<Integer> maxOp = BinaryOperator.maxBy(Comparator.naturalOrder());
        System.out.println("unary " + up.apply("shout") + " binary maxBy " + maxOp.apply(3, 9));
        IntBinaryOperator gcd = new IntBinaryOperator() {
            public int applyAsInt(int a, int b) { return b == 0 ? a : applyAsInt(b, a % b); }
        };
        ToIntFunction<String> len = String::length;
        IntPredicate even = i -> i % 2 == 0;
        LongSupplier ls = () -> Long.MAX_VALUE;
        DoubleUnaryOperator half = d -> d / 2;
        System.out.println("primitive specializations gcd " + gcd.applyAsInt(1071, 462) + " len " + len.applyAsInt("seven")
                + " even " + even.test(4) + " long " + ls.getAsLong() + " half " + half.applyAsDouble(5));

        // Method references: static, bound, unbound, constructor.
        Function<String, String> st = Lambdas::shout;
        Counter counter = new Counter(10);
        IntSupplier bound = counter::next;
        Function<String, Integer> unbound = String::length;
        Function<Integer, Counter> ctor = Counter::new;
        IntFunction<int[]> arrCtor = int[]::new;
        System.out.println("method refs " + st.apply("hi") + " " + bound.getAsInt() + bound.getAsInt() + " " + unbound.apply("four")
                + " " + ctor.apply(100).next() + " " + arrCtor.apply(3).length);
        List<Integer> nums = new ArrayList<>(List.of(5, 3, 9, 1, 7));
        nums.sort(Counter::compareByValue);
        System.out.println("sorted by static ref " + nums);
        nums.replaceAll(x -> x * 10);
        nums.removeIf(x -> x > 60);
        System.out.println("replaceAll/removeIf " + nums);

        // Captures: effectively final locals, fields through this, arrays as mutable cells.
        int base = 1000;
        int[] cell = {0};
        Runnable r = () -> cell[0] += base;
        for (int i = 0; i < 5; i++) r.run();
        System.out.println("captured " + cell[0]);
        List<Supplier<Integer>> suppliers = new ArrayList<>();
        for (int i = 0; i < 5; i++) { final int k = i; suppliers.add(() -> k * k); }
        System.out.println("loop captures " + suppliers.stream().map(Supplier::get).toList());

        // Currying and higher-order functions.
        Function<Integer, Function<Integer, Function<Integer, Integer>>> curried = a -> b -> c -> a * 100 + b * 10 + c;
        System.out.println("curried " + curried.apply(1).apply(2).apply(3));
        TriFunction<Integer, Integer, Integer, Integer> tri = (a, b, c) -> a + b + c;
        System.out.println("custom functional interface " + tri.andThen(x -> "sum=" + x).apply(1, 2, 3));
        Function<Integer, Integer> fact = new Function<>() {
            public Integer apply(Integer n) { return n <= 1 ? 1 : n * this.apply(n - 1); }
        };
        System.out.println("recursive " + fact.apply(10));
        Map<String, BinaryOperator<Integer>> ops = new TreeMap<>();
        ops.put("add", Integer::sum);
        ops.put("max", Math::max);
        ops.put("mul", (a, b) -> a * b);
        ops.put("sub", (a, b) -> a - b);
        StringBuilder sb = new StringBuilder();
        ops.forEach((k, v) -> sb.append(k).append('=').append(v.apply(12, 5)).append(' '));
        System.out.println("dispatch table " + sb.toString().trim());
        Function<Integer, Integer> chain = Stream.<Function<Integer, Integer>>of(x -> x + 1, x -> x * 2, x -> x - 3)
                .reduce(Function.identity(), Function::andThen);
        System.out.println("reduced chain " + chain.apply(10));

        Optional<String> some = Optional.of("value"), none = Optional.empty();
        System.out.println("optional " + some.map(String::length).orElse(-1) + " " + none.map(String::length).orElse(-1) + " "
                + some.filter(v -> v.startsWith("x")).isPresent() + " " + none.or(() -> Optional.of("alt")).get() + " "
                + some.flatMap(v -> Optional.of(v + v)).get() + " " + none.orElseGet(() -> "lazy"));
        try {
            none.orElseThrow(() -> new NoSuchElementException("nothing here"));
        } catch (NoSuchElementException e) {
            System.out.println("orElseThrow " + e.getMessage());
        }
        Comparator<String> cmp = Comparator.comparing(String::length).thenComparing(Comparator.reverseOrder());
        System.out.println("comparator chain " + Stream.of("bb", "a", "ccc", "aa", "c").sorted(cmp).toList());

        // Many distinct lambdas: each call site links its own class at run time.
        long acc = 0;
        List<IntUnaryOperator> many = List.of(x -> x + 1, x -> x + 2, x -> x + 3, x -> x * 2, x -> x * 3, x -> x ^ 5,
                x -> x << 1, x -> x >> 1, x -> -x, x -> x % 7, x -> x & 0xff, x -> x | 1);
        for (int i = 0; i < 1_000_000; i++) acc += many.get(i % many.size()).applyAsInt(i);
        System.out.println("many lambdas hot loop " + acc);
        Runnable serial = (Runnable & java.io.Serializable) () -> {};
        System.out.println("intersection cast serializable " + (serial instanceof java.io.Serializable));
    }
}

import java.util.*;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.*;

// Sequential and parallel streams. Parallel results are printed only where they are defined
// regardless of how the work is split (associative reductions, ordered collects, sorted output).
public class Streams {
    public static void main(String[] args) {
        System.out.println("sum squares of evens " + IntStream.rangeClosed(1, 100).filter(i -> i % 2 == 0)
                .map(i -> i * i).sum());
        System.out.println("reduce product " + LongStream.rangeClosed(1, 20).reduce(1, (a, b) -> a * b));
        List<String> words = List.of("delta", "alpha", "charlie", "bravo", "echo", "alpha", "foxtrot",
                "golf", "hotel", "india", "echo", "juliet");
        System.out.println("distinct sorted upper " + words.stream().distinct().sorted()
                .map(w -> w.toUpperCase(Locale.ROOT)).collect(Collectors.joining(",", "<", ">")));
        System.out.println("grouping by length " + words.stream().collect(
                Collectors.groupingBy(String::length, TreeMap::new, Collectors.toCollection(TreeSet::new))));
        System.out.println("counting by first letter " + words.stream().collect(
                Collectors.groupingBy(w -> w.charAt(0), TreeMap::new, Collectors.counting())));
        System.out.println("partition " + words.stream().collect(Collectors.partitioningBy(w -> w.length() > 4)));
        System.out.println("toMap merge " + words.stream().collect(
                Collectors.toMap(w -> w, w -> 1, Integer::sum, TreeMap::new)));
        System.out.println("flatMap chars " + words.stream().limit(3).flatMap(w -> w.chars().mapToObj(c -> (char) c))
                .map(String::valueOf).collect(Collectors.joining()));
        IntSummaryStatistics st = words.stream().mapToInt(String::length).summaryStatistics();
        System.out.println("stats " + st.getCount() + " " + st.getMin() + " " + st.getMax() + " " + st.getSum()
                + " " + st.getAverage());
        System.out.println("iterate " + Stream.iterate(1, x -> x < 1000, x -> x * 3).map(String::valueOf)
                .collect(Collectors.joining(" ")));
        System.out.println("anyMatch " + words.stream().anyMatch(w -> w.startsWith("j")) + " allMatch "
                + words.stream().allMatch(w -> w.length() > 3) + " noneMatch " + words.stream().noneMatch(String::isEmpty)
                + " findFirst " + words.stream().filter(w -> w.contains("o")).findFirst().orElse("none"));
        System.out.println("takeWhile " + IntStream.range(0, 20).takeWhile(i -> i < 5).boxed().toList()
                + " dropWhile " + IntStream.range(0, 8).dropWhile(i -> i < 5).boxed().toList());
        System.out.println("teeing average " + IntStream.rangeClosed(1, 10).boxed().collect(
                Collectors.teeing(Collectors.summingInt(i -> i), Collectors.counting(), (s, c) -> s + "/" + c)));

        // Parallel: deterministic by construction.
        long psum = LongStream.rangeClosed(1, 20_000_000).parallel().sum();
        System.out.println("parallel sum " + psum + " == formula " + (psum == 20_000_000L * 20_000_001L / 2));
        long primes = IntStream.range(2, 200_000).parallel().filter(Streams::isPrime).count();
        System.out.println("parallel prime count " + primes);
        List<Integer> ordered = IntStream.range(0, 100_000).parallel().map(i -> i * 3).filter(i -> i % 2 == 1)
                .boxed().collect(Collectors.toList());
        System.out.println("parallel ordered collect size " + ordered.size() + " first " + ordered.get(0) + " last "
                + ordered.get(ordered.size() - 1) + " in order " + isSorted(ordered));
        String joined = IntStream.range(0, 2000).parallel().mapToObj(Integer::toString)
                .reduce("", (a, b) -> a + b);
        System.out.println("parallel ordered string reduce " + joined.length() + " hash " + joined.hashCode());
        ConcurrentMap<Integer, Long> byMod = IntStream.range(0, 1_000_000).parallel().boxed()
                .collect(Collectors.groupingByConcurrent(i -> i % 7, Collectors.counting()));
        System.out.println("parallel groupingByConcurrent " + new TreeMap<>(byMod));
        double dsum = IntStream.rangeClosed(1, 1_000_000).parallel().mapToDouble(i -> 1.0 / ((double) i * i)).sum();
        System.out.println("parallel basel ~ pi^2/6 " + (Math.abs(dsum - Math.PI * Math.PI / 6) < 1e-5));
        int[] sortedPar = new Random(3).ints(2_000_000, 0, 1_000_000).parallel().sorted().toArray();
        System.out.println("parallel sorted " + sortedPar.length + " first " + sortedPar[0] + " last "
                + sortedPar[sortedPar.length - 1] + " hash " + Arrays.hashCode(sortedPar));
        int[] prefix = IntStream.rangeClosed(1, 1000).toArray();
        Arrays.parallelPrefix(prefix, Integer::sum);
        System.out.println("parallelPrefix last " + prefix[999] + " max by parallel "
                + words.parallelStream().max(Comparator.comparing(String::length).thenComparing(Comparator.naturalOrder())).get());
        Optional<String> longest = words.parallelStream().reduce((a, b) -> a.length() >= b.length() ? a : b);
        System.out.println("parallel reduce first longest " + longest.get());
    }

    static boolean isPrime(int n) {
        for (int d = 2; (long) d * d <= n; d++) if (n % d == 0) return false;
        return true;
    }

    static boolean isSorted(List<Integer> l) {
        for (int i = 1; i < l.size(); i++) if (l.get(i - 1) > l.get(i)) return false;
        return true;
    }
}

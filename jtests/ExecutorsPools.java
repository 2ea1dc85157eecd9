import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicInteger;

// ExecutorService (fixed, cached, single, work-stealing) and ForkJoinPool (RecursiveTask,
// RecursiveAction, the common pool). Results are collected in submission order.
public class ExecutorsPools {
    static class SumTask extends RecursiveTask<Long> {
        final long[] a; final int lo, hi;
        SumTask(long[] a, int lo, int hi) { this.a = a; this.lo = lo; this.hi = hi; }
        protected Long compute() {
            if (hi - lo <= 10_000) { long s = 0; for (int i = lo; i < hi; i++) s += a[i]; return s; }
            int mid = (lo + hi) >>> 1;
            SumTask left = new SumTask(a, lo, mid);
            left.fork();
            return new SumTask(a, mid, hi).compute() + left.join();
        }
    }

    static class Fib extends RecursiveTask<Integer> {
        final int n;
        Fib(int n) { this.n = n; }
        protected Integer compute() {
            if (n < 15) return slow(n);
            Fib f1 = new Fib(n - 1); f1.fork();
            return new Fib(n - 2).compute() + f1.join();
        }
        static int slow(int n) { return n < 2 ? n : slow(n - 1) + slow(n - 2); }
    }

    static class Square extends RecursiveAction {
        final double[] a; final int lo, hi;
        Square(double[] a, int lo, int hi) { this.a = a; this.lo = lo; this.hi = hi; }
        protected void compute() {
            if (hi - lo < 5000) { for (int i = lo; i < hi; i++) a[i] = a[i] * a[i]; return; }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Square(a, lo, mid), new Square(a, mid, hi));
        }
    }

    public static void main(String[] args) throws Exception {
        AtomicInteger made = new AtomicInteger();
        ExecutorService fixed = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "pool-worker-" + made.incrementAndGet());
            return t;
        });
        List<Callable<Long>> jobs = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            final int n = i;
            jobs.add(() -> { long s = 0; for (int k = 1; k <= n * 10_000; k++) s += k % n; return s; });
        }
        List<Future<Long>> fs = fixed.invokeAll(jobs);
        StringBuilder sb = new StringBuilder();
        for (Future<Long> f : fs) sb.append(f.get()).append(' ');
        System.out.println("invokeAll " + sb.toString().trim());
        Future<String> named = fixed.submit(() -> Thread.currentThread().getName().startsWith("pool-worker-") ? "named" : "?");
        System.out.println("thread factory " + named.get() + " threads made <= 4 " + (made.get() <= 4));
        Future<Integer> failing = fixed.submit(() -> { if (true) throw new java.io.IOException("task failed"); return 1; });
        try {
            failing.get();
        } catch (ExecutionException e) {
            System.out.println("ExecutionException cause " + e.getCause().getClass().getName() + ": " + e.getCause().getMessage());
        }
        CountDownLatch gate = new CountDownLatch(1);
        Future<?> blocked = fixed.submit(() -> { gate.await(); return null; });
        try {
            blocked.get(20, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            System.out.println("get with timeout: TimeoutException");
        }
        System.out.println("cancel " + blocked.cancel(true) + " cancelled " + blocked.isCancelled() + " done " + blocked.isDone());
        String any = fixed.invokeAny(List.of(() -> "same", () -> "same", () -> "same"));
        System.out.println("invokeAny " + any);
        fixed.shutdown();
        System.out.println("terminated " + fixed.awaitTermination(30, TimeUnit.SECONDS) + " isShutdown " + fixed.isShutdown());
        try {
            fixed.submit(() -> 1);
        } catch (RejectedExecutionException e) {
            System.out.println("submit after shutdown: RejectedExecutionException");
        }

        ExecutorService single = Executors.newSingleThreadExecutor();
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 10; i++) { final int n = i; single.execute(() -> order.add(n)); }
        single.shutdown();
        single.awaitTermination(30, TimeUnit.SECONDS);
        System.out.println("single executor order " + order);

        ExecutorService cached = Executors.newCachedThreadPool();
        ExecutorCompletionService<Integer> ecs = new ExecutorCompletionService<>(cached);
        for (int i = 0; i < 16; i++) { final int n = i; ecs.submit(() -> n * n); }
        int sum = 0;
        for (int i = 0; i < 16; i++) sum += ecs.take().get();
        cached.shutdown();
        System.out.println("completion service sum " + sum);

        long[] data = new long[3_000_000];
        for (int i = 0; i < data.length; i++) data[i] = (i * 31L) % 1000;
        ForkJoinPool pool = new ForkJoinPool(4);
        long fjSum = pool.invoke(new SumTask(data, 0, data.length));
        long check = 0;
        for (long v : data) check += v;
        System.out.println("fork/join sum " + fjSum + " matches " + (fjSum == check));
        System.out.println("fork/join fib(30) " + pool.invoke(new Fib(30)));
        double[] sq = new double[200_000];
        for (int i = 0; i < sq.length; i++) sq[i] = i * 0.5;
        pool.invoke(new Square(sq, 0, sq.length));
        System.out.println("recursive action sq[1000] " + sq[1000] + " sq[last] " + sq[sq.length - 1]);
        ForkJoinTask<Integer> submitted = pool.submit(() -> 6 * 7);
        System.out.println("submit to fork/join " + submitted.get());
        pool.shutdown();
        System.out.println("fork/join terminated " + pool.awaitTermination(30, TimeUnit.SECONDS));
        System.out.println("common pool fib(27) " + ForkJoinPool.commonPool().invoke(new Fib(27))
                + " parallelism >= 1 " + (ForkJoinPool.getCommonPoolParallelism() >= 1));
        ExecutorService ws = Executors.newWorkStealingPool(3);
        List<Future<Integer>> wf = new ArrayList<>();
        for (int i = 0; i < 8; i++) { final int n = 20 + i; wf.add(ws.submit(() -> Fib.slow(n))); }
        StringBuilder wsb = new StringBuilder();
        for (Future<Integer> f : wf) wsb.append(f.get()).append(' ');
        ws.shutdown();
        System.out.println("work stealing " + wsb.toString().trim());
    }
}

// StackOverflowError recovery with a small stack (run with -Xss256k): unbounded recursion is
// caught and the program carries on, many times, on the main thread and on threads with small
// and large requested stacks; monitors held by frames that overflowed are released.
public class DeepRecursion {
    static int depth;
    static final Object lock = new Object();

    static void down() { depth++; down(); }
    static long withLocals(long a, long b, long c, long d) {
        long e = a + b, f = c + d, g = e * f;
        return withLocals(e, f, g, a) + g;
    }
    static int sumTo(int n) { return n == 0 ? 0 : n + sumTo(n - 1); }
    static void lockedDown(int n) { synchronized (lock) { lockedDown(n + 1); } }
    static int mutual(int n) { return n <= 0 ? 0 : other(n - 1) + 1; }
    static int other(int n) { return n <= 0 ? 0 : mutual(n - 1) + 1; }

    static int overflowMaxDepth() {
        depth = 0;
        try { down(); } catch (StackOverflowError e) { return depth; }
        return -1;
    }

    public static void main(String[] args) throws Exception {
        int caught = 0, minDepth = Integer.MAX_VALUE, maxDepth = 0;
        for (int i = 0; i < 200; i++) {
            int d = overflowMaxDepth();
            if (d > 0) caught++;
            minDepth = Math.min(minDepth, d);
            maxDepth = Math.max(maxDepth, d);
        }
        System.out.println("main thread: caught " + caught + " of 200, min depth > 500 " + (minDepth > 500)
                + ", bounded by a small stack (< 200000) " + (maxDepth < 200_000));
        try {
            withLocals(1, 2, 3, 4);
        } catch (StackOverflowError e) {
            System.out.println("overflow with wide frames caught");
        }
        try {
            mutual(Integer.MAX_VALUE);
        } catch (StackOverflowError e) {
            System.out.println("mutual recursion overflow caught");
        }
        System.out.println("after recovery sumTo(1000) " + sumTo(1000));

        boolean[] otherGotLock = new boolean[1];
        try {
            lockedDown(0);
        } catch (StackOverflowError e) {
            Thread t = new Thread(() -> { synchronized (lock) { otherGotLock[0] = true; } });
            t.start();
            t.join();
        }
        System.out.println("monitors released after overflow: other thread locked " + otherGotLock[0]);

        int[] small = new int[2], large = new int[2];
        Thread ts = new Thread(null, () -> { small[0] = overflowMaxDepth(); small[1] = sumTo(500); }, "small", 256 * 1024);
        Thread tl = new Thread(null, () -> { large[0] = overflowMaxDepth(); large[1] = sumTo(20_000); }, "large", 64L * 1024 * 1024);
        ts.start(); ts.join();
        tl.start(); tl.join();
        System.out.println("thread with 256k stack overflowed " + (small[0] > 0) + " sumTo(500) " + small[1]);
        System.out.println("thread with 64M stack overflowed deeper " + (large[0] > small[0]) + " sumTo(20000) " + large[1]);

        Thread[] ws = new Thread[8];
        int[] results = new int[8];
        for (int i = 0; i < 8; i++) {
            final int id = i;
            ws[i] = new Thread(() -> {
                int ok = 0;
                for (int k = 0; k < 20; k++) if (overflowLocal() > 0) ok++;
                results[id] = ok;
            });
            ws[i].start();
        }
        for (Thread t : ws) t.join();
        StringBuilder sb = new StringBuilder();
        for (int r : results) sb.append(r).append(' ');
        System.out.println("8 threads x 20 overflows each " + sb.toString().trim());
        try {
            String s = build(0);
            System.out.println("unexpected " + s.length());
        } catch (StackOverflowError e) {
            System.out.println("overflow while building strings caught, heap usable " + "x".repeat(1000).length());
        }
    }

    static int overflowLocal() {
        int[] d = {0};
        class R { void go() { d[0]++; go(); } }
        try { new R().go(); } catch (StackOverflowError e) { return d[0]; }
        return -1;
    }

    static String build(int n) { return "a" + build(n + 1) + n; }
}

import java.util.*;

// Platform threads with synchronized, wait/notify, join, interrupt, ThreadLocal, uncaught
// exception handlers and daemon threads. Only interleaving-independent facts are printed.
public class ThreadsSync {
    static int counter, staticCounter;
    static final Object lock = new Object();

    static synchronized void incStatic() { staticCounter++; }

    static class BoundedBuffer {
        private final int[] items = new int[8];
        private int head, tail, count;
        synchronized void put(int x) throws InterruptedException {
            while (count == items.length) wait();
            items[tail] = x; tail = (tail + 1) % items.length; count++;
            notifyAll();
        }
        synchronized int take() throws InterruptedException {
            while (count == 0) wait();
            int x = items[head]; head = (head + 1) % items.length; count--;
            notifyAll();
            return x;
        }
    }

    public static void main(String[] args) throws Exception {
        Thread[] ts = new Thread[8];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = new Thread(() -> {
                for (int j = 0; j < 100_000; j++) {
                    synchronized (lock) { counter++; }
                    incStatic();
                }
            }, "adder-" + i);
            ts[i].start();
        }
        for (Thread t : ts) t.join();
        System.out.println("counter " + counter + " static " + staticCounter + " expected " + (8 * 100_000));
        System.out.println("states after join " + ts[0].getState() + " alive " + ts[0].isAlive() + " name " + ts[3].getName());

        BoundedBuffer buf = new BoundedBuffer();
        long[] consumed = new long[3];
        Thread[] producers = new Thread[3];
        Thread[] consumers = new Thread[3];
        for (int p = 0; p < 3; p++) {
            final int base = p * 1_000_000;
            producers[p] = new Thread(() -> {
                try { for (int i = 1; i <= 20_000; i++) buf.put(base + i); } catch (InterruptedException e) { }
            });
            final int idx = p;
            consumers[p] = new Thread(() -> {
                try { for (int i = 0; i < 20_000; i++) consumed[idx] += buf.take(); } catch (InterruptedException e) { }
            });
        }
        for (int p = 0; p < 3; p++) { producers[p].start(); consumers[p].start(); }
        for (int p = 0; p < 3; p++) { producers[p].join(); consumers[p].join(); }
        long total = consumed[0] + consumed[1] + consumed[2];
        long expect = 0;
        for (int p = 0; p < 3; p++) for (int i = 1; i <= 20_000; i++) expect += p * 1_000_000L + i;
        System.out.println("producer/consumer total " + total + " matches " + (total == expect));

        // Ping-pong with wait/notify: strict alternation gives a fixed transcript.
        StringBuilder transcript = new StringBuilder();
        int[] turn = {0};
        Thread[] pp = new Thread[2];
        for (int k = 0; k < 2; k++) {
            final int me = k;
            pp[k] = new Thread(() -> {
                for (int round = 0; round < 5; round++) {
                    synchronized (turn) {
                        while (turn[0] != me) {
                            try { turn.wait(); } catch (InterruptedException e) { return; }
                        }
                        transcript.append(me == 0 ? "ping " : "pong ");
                        turn[0] = 1 - me;
                        turn.notifyAll();
                    }
                }
            });
            pp[k].start();
        }
        pp[0].join(); pp[1].join();
        System.out.println("transcript " + transcript.toString().trim());

        // Interrupting a thread blocked in wait() and in sleep().
        Object never = new Object();
        String[] outcome = new String[2];
        Thread waiter = new Thread(() -> {
            synchronized (never) {
                try { never.wait(); outcome[0] = "woke"; } catch (InterruptedException e) { outcome[0] = "interrupted in wait"; }
            }
        });
        Thread sleeper = new Thread(() -> {
            try { Thread.sleep(600_000); outcome[1] = "slept"; } catch (InterruptedException e) {
                outcome[1] = "interrupted in sleep, flag " + Thread.currentThread().isInterrupted();
            }
        });
        waiter.start(); sleeper.start();
        while (waiter.getState() != Thread.State.WAITING) Thread.sleep(1);
        while (sleeper.getState() != Thread.State.TIMED_WAITING) Thread.sleep(1);
        waiter.interrupt(); sleeper.interrupt();
        waiter.join(); sleeper.join();
        System.out.println(outcome[0] + "; " + outcome[1]);

        ThreadLocal<Integer> tl = ThreadLocal.withInitial(() -> 7);
        InheritableThreadLocal<String> itl = new InheritableThreadLocal<>();
        tl.set(1); itl.set("parent value");
        String[] seen = new String[1];
        Thread child = new Thread(() -> seen[0] = "child sees tl=" + tl.get() + " itl=" + itl.get());
        child.start(); child.join();
        System.out.println(seen[0] + "; main tl=" + tl.get());

        List<String> handled = Collections.synchronizedList(new ArrayList<>());
        Thread failing = new Thread(() -> { throw new IllegalStateException("boom in thread"); }, "failing");
        failing.setUncaughtExceptionHandler((t, e) -> handled.add(t.getName() + ": " + e.getMessage()));
        failing.start(); failing.join();
        System.out.println("uncaught handler " + handled);

        Thread daemon = new Thread(() -> { while (true) { try { Thread.sleep(1000); } catch (InterruptedException e) { } } });
        daemon.setDaemon(true);
        daemon.start();
        System.out.println("daemon " + daemon.isDaemon() + " main priority " + Thread.currentThread().getPriority()
                + " main name " + Thread.currentThread().getName());

        // Deadlock-free ordering by lock rank; the sum of transfers is conserved.
        int[] accounts = new int[10];
        Arrays.fill(accounts, 1000);
        Object[] locks = new Object[10];
        for (int i = 0; i < 10; i++) locks[i] = new Object();
        Thread[] movers = new Thread[4];
        for (int m = 0; m < 4; m++) {
            final int seed = m;
            movers[m] = new Thread(() -> {
                Random r = new Random(seed);
                for (int k = 0; k < 20_000; k++) {
                    int a = r.nextInt(10), b = r.nextInt(10);
                    if (a == b) continue;
                    Object first = locks[Math.min(a, b)], second = locks[Math.max(a, b)];
                    synchronized (first) { synchronized (second) { accounts[a] -= 3; accounts[b] += 3; } }
                }
            });
            movers[m].start();
        }
        for (Thread t : movers) t.join();
        System.out.println("accounts conserved " + Arrays.stream(accounts).sum());
        Thread.yield();
        System.out.println("holdsLock " + Thread.holdsLock(lock) + " " + holds());
    }

    static boolean holds() { synchronized (lock) { return Thread.holdsLock(lock); } }
}

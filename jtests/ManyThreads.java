import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

// 1,000 platform threads alive at once: each starts, checks in, and blocks on a latch; when all
// have checked in, the count of live threads is taken, the latch is released and all are joined.
public class ManyThreads {
    public static void main(String[] args) throws Exception {
        final int n = 1000;
        CountDownLatch checkedIn = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong sum = new AtomicLong();
        AtomicInteger finished = new AtomicInteger();
        Thread[] ts = new Thread[n];
        for (int i = 0; i < n; i++) {
            final int id = i;
            ts[i] = new Thread(() -> {
                long local = 0;
                for (int k = 0; k <= id; k++) local += k;   // a little work on each stack
                checkedIn.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    return;
                }
                sum.addAndGet(local);
                finished.incrementAndGet();
            }, "t" + i);
            ts[i].start();
        }
        checkedIn.await();
        int alive = 0;
        for (Thread t : ts) if (t.isAlive()) alive++;
        System.out.println("threads alive at once " + alive);
        System.out.println("JVM thread count >= 1000 " + (Thread.activeCount() >= n));
        release.countDown();
        for (Thread t : ts) t.join();
        int stillAlive = 0;
        for (Thread t : ts) if (t.isAlive()) stillAlive++;
        System.out.println("finished " + finished.get() + " alive after join " + stillAlive + " sum " + sum.get());

        // Waves: 5 x 1000 short-lived threads, started and joined in batches.
        AtomicInteger ran = new AtomicInteger();
        for (int wave = 0; wave < 5; wave++) {
            Thread[] w = new Thread[n];
            for (int i = 0; i < n; i++) { w[i] = new Thread(ran::incrementAndGet); w[i].start(); }
            for (Thread t : w) t.join();
        }
        System.out.println("short-lived threads run " + ran.get());
    }
}

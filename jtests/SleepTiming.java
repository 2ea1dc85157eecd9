import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

// Sleeping and clocks. Only relations are printed (elapsed >= requested, monotonic clocks,
// wall clock close to nanoTime), never the durations themselves.
public class SleepTiming {
    public static void main(String[] args) throws Exception {
        for (long ms : new long[] {0, 1, 10, 50, 120}) {
            long t0 = System.nanoTime();
            Thread.sleep(ms);
            long el = System.nanoTime() - t0;
            System.out.println("sleep(" + ms + ") elapsed >= requested " + (el >= ms * 1_000_000L));
        }
        long t0 = System.nanoTime();
        Thread.sleep(5, 500_000);
        System.out.println("sleep(5ms+500us) elapsed >= requested " + (System.nanoTime() - t0 >= 5_500_000L));

        Object mon = new Object();
        synchronized (mon) {
            long w0 = System.nanoTime();
            mon.wait(30);
            System.out.println("wait(30) elapsed >= 30ms " + (System.nanoTime() - w0 >= 30_000_000L));
        }
        long p0 = System.nanoTime(), deadline = p0 + 25_000_000L;
        while (System.nanoTime() < deadline) LockSupport.parkNanos(deadline - System.nanoTime());
        System.out.println("parkNanos until deadline reached " + (System.nanoTime() >= deadline));
        long u0 = System.nanoTime();
        LockSupport.parkUntil(System.currentTimeMillis() + 20);
        System.out.println("parkUntil returned (spurious allowed) " + (System.nanoTime() >= u0));

        long prev = System.nanoTime();
        boolean monotonic = true;
        for (int i = 0; i < 200_000; i++) {
            long now = System.nanoTime();
            if (now < prev) monotonic = false;
            prev = now;
        }
        System.out.println("nanoTime monotonic over 200000 reads " + monotonic);
        long wall0 = System.currentTimeMillis(), nano0 = System.nanoTime();
        Thread.sleep(200);
        long wallEl = System.currentTimeMillis() - wall0, nanoEl = (System.nanoTime() - nano0) / 1_000_000L;
        System.out.println("wall clock advanced with nanoTime (within 50ms) " + (Math.abs(wallEl - nanoEl) <= 50) + " >= 200ms " + (wallEl >= 199));
        long now = System.currentTimeMillis();
        System.out.println("wall clock after 2020-01-01 " + (now > 1_577_836_800_000L) + " before 2100 " + (now < 4_102_444_800_000L));
        java.time.Instant inst = java.time.Instant.now();
        System.out.println("Instant.now agrees with currentTimeMillis (within 1s) " + (Math.abs(inst.toEpochMilli() - System.currentTimeMillis()) < 1000));

        Thread sleeper = new Thread(() -> { try { Thread.sleep(100); } catch (InterruptedException e) { } });
        long j0 = System.nanoTime();
        sleeper.start();
        sleeper.join();
        System.out.println("join waits for the sleeper (>= 100ms) " + (System.nanoTime() - j0 >= 100_000_000L));
        Thread forever = new Thread(() -> { try { Thread.sleep(600_000); } catch (InterruptedException e) { } });
        forever.start();
        long jt0 = System.nanoTime();
        forever.join(40);
        System.out.println("join(40) timed out after >= 40ms " + (System.nanoTime() - jt0 >= 40_000_000L) + " still alive " + forever.isAlive());
        forever.interrupt();
        forever.join();

        ScheduledExecutorService ses = Executors.newScheduledThreadPool(1);
        long s0 = System.nanoTime();
        ScheduledFuture<Long> delayed = ses.schedule(() -> System.nanoTime() - s0, 60, TimeUnit.MILLISECONDS);
        System.out.println("schedule(60ms) ran after >= 60ms " + (delayed.get() >= 60_000_000L));
        AtomicInteger ticks = new AtomicInteger();
        CountDownLatch five = new CountDownLatch(5);
        long r0 = System.nanoTime();
        ScheduledFuture<?> rate = ses.scheduleAtFixedRate(() -> { ticks.incrementAndGet(); five.countDown(); }, 0, 10, TimeUnit.MILLISECONDS);
        five.await();
        rate.cancel(false);
        System.out.println("fixed rate: 5 ticks took >= 40ms " + (System.nanoTime() - r0 >= 40_000_000L) + " cancelled " + rate.isCancelled());
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch three = new CountDownLatch(3);
        for (int d : new int[] {90, 30, 60}) ses.schedule(() -> { order.add(d); three.countDown(); }, d, TimeUnit.MILLISECONDS);
        three.await();
        System.out.println("delays fire in deadline order " + order);
        ses.shutdown();
        System.out.println("scheduler terminated " + ses.awaitTermination(10, TimeUnit.SECONDS));

        Timer timer = new Timer(true);
        CountDownLatch timerDone = new CountDownLatch(1);
        long tm0 = System.nanoTime();
        long[] timerEl = new long[1];
        timer.schedule(new TimerTask() {
            public void run() { timerEl[0] = System.nanoTime() - tm0; timerDone.countDown(); }
        }, 35);
        timerDone.await();
        timer.cancel();
        // Timer schedules on System.currentTimeMillis(), whose millisecond truncation can make a
        // 35 ms delay 34.x ms long as nanoTime measures it (on Linux too).
        System.out.println("java.util.Timer fired after >= 34ms " + (timerEl[0] >= 34_000_000L));
        long cd0 = System.nanoTime();
        boolean latched = new CountDownLatch(1).await(45, TimeUnit.MILLISECONDS);
        System.out.println("latch await timeout " + !latched + " after >= 45ms " + (System.nanoTime() - cd0 >= 45_000_000L));
        long q0 = System.nanoTime();
        Object polled = new LinkedBlockingQueue<>().poll(25, TimeUnit.MILLISECONDS);
        System.out.println("queue poll timeout null " + (polled == null) + " after >= 25ms " + (System.nanoTime() - q0 >= 25_000_000L));
        long tc0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        long spin = 0;
        for (int i = 0; i < 20_000_000; i++) spin += i ^ (spin >>> 3);
        long tc1 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        System.out.println("thread cpu time advanced while spinning " + (tc1 > tc0) + (spin == 42 ? "!" : ""));
    }
}

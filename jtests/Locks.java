import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import java.util.concurrent.locks.*;

// java.util.concurrent synchronizers: ReentrantLock, ReadWriteLock, Condition, Semaphore,
// CountDownLatch, CyclicBarrier, Phaser, Exchanger, StampedLock. Every printed fact holds for
// any interleaving.
public class Locks {
    public static void main(String[] args) throws Exception {
        ReentrantLock lock = new ReentrantLock();
        long[] count = {0};
        runAll(4, i -> {
            for (int k = 0; k < 100_000; k++) {
                lock.lock();
                try { count[0]++; } finally { lock.unlock(); }
            }
        });
        System.out.println("reentrant lock count " + count[0]);
        lock.lock();
        lock.lock();
        System.out.println("hold count " + lock.getHoldCount() + " held by me " + lock.isHeldByCurrentThread());
        boolean[] other = new boolean[2];
        Thread t = new Thread(() -> {
            other[0] = lock.tryLock();
            try { other[1] = lock.tryLock(20, TimeUnit.MILLISECONDS); } catch (InterruptedException e) { }
        });
        t.start(); t.join();
        System.out.println("other thread tryLock " + other[0] + " timed " + other[1]);
        lock.unlock(); lock.unlock();
        System.out.println("locked after unlocks " + lock.isLocked());
        ReentrantLock fair = new ReentrantLock(true);
        System.out.println("fair " + fair.isFair());

        // ReadWriteLock: three readers are inside at once (each waits for the others while holding the read lock).
        ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
        CountDownLatch allIn = new CountDownLatch(3);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch recorded = new CountDownLatch(3); // each reader has stored its result
        boolean[] together = new boolean[3];
        Thread[] readers = new Thread[3];
        for (int i = 0; i < 3; i++) {
            final int id = i;
            readers[i] = new Thread(() -> {
                rw.readLock().lock();
                try {
                    allIn.countDown();
                    together[id] = allIn.await(30, TimeUnit.SECONDS);
                    recorded.countDown();
                    release.await();
                } catch (InterruptedException e) {
                } finally { rw.readLock().unlock(); }
            });
            readers[i].start();
        }
        allIn.await();
        recorded.await();
        boolean[] writerTry = new boolean[1];
        Thread w = new Thread(() -> writerTry[0] = rw.writeLock().tryLock());
        w.start(); w.join();
        System.out.println("read lock shared " + Arrays.toString(together) + " read count " + rw.getReadLockCount()
                + " writer tryLock while read-held " + writerTry[0]);
        release.countDown();
        for (Thread r : readers) r.join();
        rw.writeLock().lock();
        rw.readLock().lock(); // downgrade
        rw.writeLock().unlock();
        System.out.println("downgraded: write locked " + rw.isWriteLocked() + " read holds " + rw.getReadHoldCount());
        rw.readLock().unlock();
        Map<String, Integer> guarded = new HashMap<>();
        runAll(4, i -> {
            for (int k = 0; k < 5000; k++) {
                if (k % 10 == 0) {
                    rw.writeLock().lock();
                    try { guarded.merge("k" + (k % 7), 1, Integer::sum); } finally { rw.writeLock().unlock(); }
                } else {
                    rw.readLock().lock();
                    try { guarded.get("k1"); } finally { rw.readLock().unlock(); }
                }
            }
        });
        System.out.println("rw guarded map " + new TreeMap<>(guarded));

        // Condition: a bounded queue with notFull/notEmpty.
        final int cap = 4;
        ReentrantLock ql = new ReentrantLock();
        Condition notFull = ql.newCondition(), notEmpty = ql.newCondition();
        ArrayDeque<Integer> q = new ArrayDeque<>();
        long[] got = {0};
        Thread prod = new Thread(() -> {
            for (int i = 1; i <= 50_000; i++) {
                ql.lock();
                try {
                    while (q.size() == cap) notFull.awaitUninterruptibly();
                    q.add(i);
                    notEmpty.signal();
                } finally { ql.unlock(); }
            }
        });
        Thread cons = new Thread(() -> {
            for (int i = 1; i <= 50_000; i++) {
                ql.lock();
                try {
                    while (q.isEmpty()) notEmpty.awaitUninterruptibly();
                    got[0] += q.poll();
                    notFull.signal();
                } finally { ql.unlock(); }
            }
        });
        prod.start(); cons.start(); prod.join(); cons.join();
        System.out.println("condition queue sum " + got[0]);
        ql.lock();
        try {
            boolean signalled = notEmpty.await(30, TimeUnit.MILLISECONDS);
            System.out.println("timed condition await without signal " + signalled);
        } finally { ql.unlock(); }

        // Semaphore: never more than 3 holders.
        Semaphore sem = new Semaphore(3);
        AtomicInteger inside = new AtomicInteger(), maxInside = new AtomicInteger();
        runAll(8, i -> {
            for (int k = 0; k < 200; k++) {
                sem.acquireUninterruptibly();
                try {
                    int n = inside.incrementAndGet();
                    maxInside.accumulateAndGet(n, Math::max);
                    Thread.yield();
                    inside.decrementAndGet();
                } finally { sem.release(); }
            }
        });
        System.out.println("semaphore max holders <= 3 " + (maxInside.get() <= 3) + " permits " + sem.availablePermits()
                + " tryAcquire(4) " + sem.tryAcquire(4) + " drain " + sem.drainPermits());

        // CountDownLatch: start gate and done gate.
        CountDownLatch start = new CountDownLatch(1), done = new CountDownLatch(5);
        AtomicInteger started = new AtomicInteger();
        for (int i = 0; i < 5; i++) {
            new Thread(() -> {
                try { start.await(); } catch (InterruptedException e) { }
                started.incrementAndGet();
                done.countDown();
            }).start();
        }
        boolean early = done.await(10, TimeUnit.MILLISECONDS);
        start.countDown();
        done.await();
        System.out.println("latch: finished before start " + early + ", after " + started.get() + " count " + done.getCount());

        // CyclicBarrier: 4 parties, 5 generations, barrier action sees every party's value.
        int parties = 4;
        int[] slot = new int[parties];
        List<Integer> genSums = Collections.synchronizedList(new ArrayList<>());
        CyclicBarrier barrier = new CyclicBarrier(parties, () -> genSums.add(Arrays.stream(slot).sum()));
        runAll(parties, id -> {
            for (int gen = 1; gen <= 5; gen++) {
                slot[id] = gen * (id + 1);
                try { barrier.await(); } catch (Exception e) { throw new RuntimeException(e); }
            }
        });
        System.out.println("barrier generation sums " + genSums + " broken " + barrier.isBroken());

        Phaser phaser = new Phaser(3);
        AtomicInteger phaseWork = new AtomicInteger();
        runAll(3, id -> {
            for (int p = 0; p < 4; p++) {
                phaseWork.addAndGet(p);
                phaser.arriveAndAwaitAdvance();
            }
            phaser.arriveAndDeregister();
        });
        System.out.println("phaser phase " + phaser.getPhase() + " work " + phaseWork.get() + " terminated " + phaser.isTerminated());

        Exchanger<String> ex = new Exchanger<>();
        String[] swapped = new String[2];
        Thread a = new Thread(() -> { try { swapped[0] = ex.exchange("from A"); } catch (InterruptedException e) { } });
        Thread b = new Thread(() -> { try { swapped[1] = ex.exchange("from B"); } catch (InterruptedException e) { } });
        a.start(); b.start(); a.join(); b.join();
        System.out.println("exchanger A got [" + swapped[0] + "] B got [" + swapped[1] + "]");

        StampedLock sl = new StampedLock();
        long stamp = sl.tryOptimisticRead();
        boolean valid1 = sl.validate(stamp);
        long ws = sl.writeLock();
        sl.unlockWrite(ws);
        System.out.println("stamped optimistic valid " + valid1 + " after write " + sl.validate(stamp));

        System.out.println("LockSupport park with permit: " + parkWithPermit());
    }

    static boolean parkWithPermit() {
        LockSupport.unpark(Thread.currentThread());
        LockSupport.park();
        return true;
    }

    interface Body { void run(int id) throws Exception; }

    static void runAll(int n, Body body) throws InterruptedException {
        Thread[] ts = new Thread[n];
        for (int i = 0; i < n; i++) {
            final int id = i;
            ts[i] = new Thread(() -> {
                try { body.run(id); } catch (Exception e) { throw new RuntimeException(e); }
            });
            ts[i].start();
        }
        for (Thread t : ts) t.join();
    }
}

import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

// Lock-free and concurrent structures under contention: atomics, LongAdder, ConcurrentHashMap,
// ConcurrentLinkedQueue, ConcurrentSkipListMap, CopyOnWriteArrayList and the blocking queues.
// Totals are interleaving-independent.
public class ConcurrentCollections {
    public static void main(String[] args) throws Exception {
        final int threads = 6, per = 50_000;
        AtomicInteger ai = new AtomicInteger();
        AtomicLong al = new AtomicLong();
        LongAdder adder = new LongAdder();
        LongAccumulator maxAcc = new LongAccumulator(Long::max, Long.MIN_VALUE);
        AtomicReference<String> longest = new AtomicReference<>("");
        AtomicIntegerArray hist = new AtomicIntegerArray(10);
        ConcurrentHashMap<String, Long> chm = new ConcurrentHashMap<>();
        ConcurrentSkipListMap<Integer, Integer> skip = new ConcurrentSkipListMap<>();
        ConcurrentLinkedQueue<Integer> clq = new ConcurrentLinkedQueue<>();
        CopyOnWriteArrayList<Integer> cow = new CopyOnWriteArrayList<>();
        run(threads, id -> {
            for (int i = 0; i < per; i++) {
                int v = id * per + i;
                ai.incrementAndGet();
                al.addAndGet(v);
                adder.increment();
                maxAcc.accumulate(v);
                hist.incrementAndGet(v % 10);
                chm.merge("k" + (v % 97), 1L, Long::sum);
                if (v % 100 == 0) skip.put(v, id);
                clq.offer(v);
                if (i % 5000 == 0) cow.add(v);
                String cand = Integer.toString(v);
                longest.accumulateAndGet(cand, (a, b) -> a.length() > b.length() || (a.length() == b.length() && a.compareTo(b) >= 0) ? a : b);
            }
        });
        long expectSum = (long) threads * per * (threads * per - 1) / 2;
        System.out.println("atomic int " + ai.get() + " atomic long sum ok " + (al.get() == expectSum) + " adder " + adder.sum()
                + " max " + maxAcc.get() + " longest " + longest.get());
        StringBuilder h = new StringBuilder();
        for (int i = 0; i < 10; i++) h.append(hist.get(i)).append(' ');
        System.out.println("histogram " + h.toString().trim());
        System.out.println("chm size " + chm.size() + " total " + chm.values().stream().mapToLong(Long::longValue).sum() + " k0 " + chm.get("k0")
                + " reduce " + chm.reduceValuesToLong(1, Long::longValue, 0, Long::sum) + " search " + chm.search(1, (k, v) -> k.equals("k5") ? v : null));
        System.out.println("skiplist size " + skip.size() + " first " + skip.firstKey() + " last " + skip.lastKey() + " floor(12345) "
                + skip.floorKey(12345) + " head(1000) " + skip.headMap(1000).keySet());
        long qsum = 0;
        int qn = 0;
        Integer x;
        while ((x = clq.poll()) != null) { qsum += x; qn++; }
        List<Integer> cowSorted = new ArrayList<>(cow);
        Collections.sort(cowSorted);
        System.out.println("queue drained " + qn + " sum ok " + (qsum == expectSum) + " cow " + cowSorted.size() + " first " + cowSorted.get(0));
        Iterator<Integer> snapshot = cow.iterator();
        cow.clear();
        int seen = 0;
        while (snapshot.hasNext()) { snapshot.next(); seen++; }
        System.out.println("copy-on-write snapshot iteration " + seen + " after clear size " + cow.size());

        ConcurrentHashMap<Integer, Integer> computed = new ConcurrentHashMap<>();
        AtomicInteger computations = new AtomicInteger();
        run(threads, id -> {
            for (int i = 0; i < 1000; i++) computed.computeIfAbsent(i, k -> { computations.incrementAndGet(); return k * k; });
        });
        System.out.println("computeIfAbsent ran once per key " + computations.get() + " size " + computed.size());
        ConcurrentHashMap.KeySetView<String, Boolean> set = ConcurrentHashMap.newKeySet();
        run(4, id -> { for (int i = 0; i < 10_000; i++) set.add("s" + (i % 2500)); });
        System.out.println("concurrent key set " + set.size());

        for (String kind : new String[] {"ArrayBlockingQueue", "LinkedBlockingQueue", "LinkedTransferQueue", "PriorityBlockingQueue", "SynchronousQueue"}) {
            BlockingQueue<Integer> q = switch (kind) {
                case "ArrayBlockingQueue" -> new ArrayBlockingQueue<>(16);
                case "LinkedBlockingQueue" -> new LinkedBlockingQueue<>(16);
                case "LinkedTransferQueue" -> new LinkedTransferQueue<>();
                case "PriorityBlockingQueue" -> new PriorityBlockingQueue<>();
                default -> new SynchronousQueue<>();
            };
            final int items = 20_000, producers = 3;
            AtomicLong consumed = new AtomicLong();
            AtomicInteger count = new AtomicInteger();
            Thread[] ps = new Thread[producers], cs = new Thread[producers];
            for (int p = 0; p < producers; p++) {
                final int base = p * items;
                ps[p] = new Thread(() -> { try { for (int i = 0; i < items; i++) q.put(base + i); } catch (InterruptedException e) { } });
                cs[p] = new Thread(() -> {
                    try {
                        for (int i = 0; i < items; i++) { consumed.addAndGet(q.take()); count.incrementAndGet(); }
                    } catch (InterruptedException e) { }
                });
            }
            for (int p = 0; p < producers; p++) { ps[p].start(); cs[p].start(); }
            for (int p = 0; p < producers; p++) { ps[p].join(); cs[p].join(); }
            long n = (long) producers * items;
            System.out.println(kind + ": " + count.get() + " items, sum ok " + (consumed.get() == n * (n - 1) / 2) + ", empty " + q.isEmpty());
        }
        DelayQueue<Delayed> dq = new DelayQueue<>();
        System.out.println("empty DelayQueue poll " + dq.poll());
        ConcurrentLinkedDeque<Integer> deque = new ConcurrentLinkedDeque<>();
        run(4, id -> { for (int i = 0; i < 1000; i++) { if (i % 2 == 0) deque.addFirst(i); else deque.addLast(i); } });
        System.out.println("concurrent deque " + deque.size());
    }

    interface Body { void run(int id) throws Exception; }

    static void run(int n, Body b) throws InterruptedException {
        Thread[] ts = new Thread[n];
        for (int i = 0; i < n; i++) {
            final int id = i;
            ts[i] = new Thread(() -> { try { b.run(id); } catch (Exception e) { throw new RuntimeException(e); } });
            ts[i].start();
        }
        for (Thread t : ts) t.join();
    }
}

import java.util.ArrayDeque;

// GcStress [SECONDS [THREADS]]: allocation-heavy work for a fixed time (default 5 s, 4 threads),
// then prints the work done. bench/gc_bench.sh runs it on Linux and under jvmos with each
// collector and compares the GC pauses (from -Xlog) and the work done in the same time.
//
// Each worker repeats one unit of work: a short-lived 2,000-node linked list (young garbage),
// 200 replacements in a per-thread window of 40,000 survivors (objects that live long enough to
// be promoted, so old-generation and mixed collections happen too), and every 64th unit a large
// array (64 KiB - 1 MiB) kept in a 16-deep queue. Checksums keep the JIT from removing the work.
public class GcStress {
    static final class Node {
        final int value;
        Node next;
        final long pad;

        Node(int value, Node next) {
            this.value = value;
            this.next = next;
            this.pad = value * 31L;
        }
    }

    static final class Worker extends Thread {
        final long deadline;
        long units;
        long checksum;

        Worker(long deadline) { this.deadline = deadline; }

        @Override
        public void run() {
            Object[] window = new Object[40_000];
            ArrayDeque<long[]> large = new ArrayDeque<>();
            long slot = getId();
            // The clock is read once per unit (~tens of µs), so the time check costs nothing.
            while (System.nanoTime() < deadline) {
                Node head = null;
                for (int i = 0; i < 2_000; i++) head = new Node((int) units ^ i, head);
                for (Node n = head; n != null; n = n.next) checksum += n.value + (n.pad & 7);

                for (int i = 0; i < 200; i++) {
                    slot = (slot * 2654435761L + 12345) & 0x7fffffffL;
                    int at = (int) (slot % window.length);
                    Object old = window[at];
                    if (old instanceof int[] a) checksum += a[0] + a.length;
                    else if (old instanceof String s) checksum += s.length();
                    else if (old instanceof Node n) checksum += n.value;
                    switch (i % 3) {
                        case 0 -> window[at] = new int[] {i, (int) units, 3};
                        case 1 -> window[at] = Long.toString(units * 1_000 + i);
                        default -> window[at] = new Node(i, null);
                    }
                }

                if (units % 64 == 0) {
                    long[] array = new long[(8 << 10) << (int) (units / 64 % 5)];
                    for (int k = 0; k < array.length; k += 509) array[k] = k ^ units;
                    large.addLast(array);
                    if (large.size() > 16) checksum += large.removeFirst().length;
                }
                units++;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        Worker[] workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Worker(deadline);
            workers[i].start();
        }
        long units = 0, checksum = 0;
        for (Worker w : workers) {
            w.join();
            units += w.units;
            checksum += w.checksum;
        }
        System.out.println("work " + units);
        System.out.println("checksum " + checksum);
    }
}

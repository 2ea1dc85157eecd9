import java.lang.management.*;
import java.lang.ref.*;
import java.util.*;

// Allocation-heavy: builds and drops tens of millions of small objects and many arrays while a
// sliding window keeps some alive long enough to be promoted, so young and old collections both
// run. Registered once per collector (-XX:+UseSerialGC, ParallelGC, G1GC, ShenandoahGC); the
// collector's MXBean names show which one ran. Prints checksums only.
public class GcChurn {
    static final class Node {
        final int value;
        Node next;
        final long pad;
        Node(int value, Node next) { this.value = value; this.next = next; this.pad = value * 31L; }
    }

    public static void main(String[] args) throws Exception {
        List<String> gcs = new ArrayList<>();
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) gcs.add(b.getName());
        Collections.sort(gcs);
        System.out.println("collectors " + gcs);

        long checksum = 0;
        // 1. Short-lived linked lists: 20 million nodes in 4000 lists of 5000.
        for (int round = 0; round < 4000; round++) {
            Node head = null;
            for (int i = 0; i < 5000; i++) head = new Node(round ^ i, head);
            for (Node n = head; n != null; n = n.next) checksum += n.value + (n.pad & 7);
        }
        System.out.println("lists checksum " + checksum);

        // 2. A sliding window of survivors (promoted to the old generation) with churn around it.
        Object[] window = new Object[200_000];
        long wsum = 0;
        for (int i = 0; i < 6_000_000; i++) {
            int slot = (int) ((i * 2654435761L) % window.length);
            Object old = window[slot];
            if (old instanceof int[] a) wsum += a[0] + a.length;
            else if (old instanceof String s) wsum += s.length();
            else if (old instanceof Node n) wsum += n.value;
            switch (i % 3) {
                case 0 -> window[slot] = new int[] {i % 1000, i % 7, 3};
                case 1 -> window[slot] = Integer.toString(i);
                default -> window[slot] = new Node(i % 4096, null);
            }
        }
        System.out.println("window checksum " + wsum);

        // 3. Arrays of mixed sizes, some large (256 KiB - 4 MiB), kept briefly.
        ArrayDeque<long[]> recent = new ArrayDeque<>();
        long asum = 0;
        for (int i = 0; i < 3000; i++) {
            int len = (i % 50 == 0) ? (1 << 15) + (i % 7) * (1 << 16) : 64 + (i * 37) % 4096;
            long[] arr = new long[len];
            for (int k = 0; k < len; k += 61) arr[k] = k ^ i;
            recent.addLast(arr);
            if (recent.size() > 40) {
                long[] dropped = recent.removeFirst();
                for (int k = 0; k < dropped.length; k += 61) asum += dropped[k];
                asum += dropped.length;
            }
        }
        System.out.println("arrays checksum " + asum);

        // 4. Collections of boxed values grown and discarded.
        long msum = 0;
        for (int round = 0; round < 30; round++) {
            HashMap<Integer, List<Integer>> m = new HashMap<>();
            for (int i = 0; i < 50_000; i++) m.computeIfAbsent(i % 1000, k -> new ArrayList<>()).add(i);
            for (List<Integer> l : m.values()) msum += l.size() + l.get(l.size() - 1);
        }
        System.out.println("maps checksum " + msum);

        // 5. Strings: build, intern-free concatenation, drop.
        long ssum = 0;
        for (int i = 0; i < 300_000; i++) {
            String s = "item-" + i + "-" + (i * 7) + "-" + Long.toHexString(i * 1234567L);
            ssum += s.length() + s.charAt(s.length() - 1);
        }
        System.out.println("strings checksum " + ssum);

        // 6. Reference processing: an unreachable referent is cleared by a full collection.
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> weak = makeWeak(queue);
        SoftReference<byte[]> soft = new SoftReference<>(new byte[1024]);
        System.gc();
        Reference<?> enqueued = queue.remove(30_000);
        System.out.println("weak cleared " + (weak.get() == null) + " enqueued " + (enqueued == weak)
                + " soft kept under no memory pressure " + (soft.get() != null));
        Runtime rt = Runtime.getRuntime();
        System.out.println("heap sane " + (rt.totalMemory() <= rt.maxMemory() && rt.freeMemory() <= rt.totalMemory()));
        System.out.println("survivors still intact " + countSurvivors(window));
    }

    static WeakReference<Object> makeWeak(ReferenceQueue<Object> q) {
        return new WeakReference<>(new int[100], q);
    }

    static int countSurvivors(Object[] window) {
        int n = 0;
        for (Object o : window) if (o != null) n++;
        return n;
    }
}

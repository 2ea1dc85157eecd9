// A large heap: run with -Xmx1g, allocates about 600 MB in 75 arrays of 8 MB that all stay
// alive, writes every one of their pages, then reads everything back into a checksum.
public class LargeHeap {
    public static void main(String[] args) {
        Runtime rt = Runtime.getRuntime();
        System.out.println("max heap >= 900 MB " + (rt.maxMemory() >= 900L << 20) + ", <= 1 GB " + (rt.maxMemory() <= 1L << 30));
        final int arrays = 75, len = 1 << 20; // 75 x 1M longs = 600 MiB
        long[][] big = new long[arrays][];
        for (int a = 0; a < arrays; a++) {
            long[] arr = new long[len];
            for (int i = 0; i < len; i += 512) arr[i] = (long) a * len + i;   // one write per 4 KiB page
            arr[len - 1] = a;
            big[a] = arr;
        }
        System.out.println("allocated " + (arrays * (long) len * 8 >> 20) + " MiB in " + arrays + " arrays");
        long sum = 0;
        for (int a = 0; a < arrays; a++) {
            long[] arr = big[a];
            for (int i = 0; i < len; i++) sum += arr[i];
        }
        System.out.println("checksum " + sum);
        for (int a = 0; a < arrays; a += 2) java.util.Arrays.fill(big[a], 3);
        long sum2 = 0;
        for (long[] arr : big) sum2 += arr[12345] + arr[len - 1];
        System.out.println("after fill " + sum2);
        System.out.println("used >= 600 MiB " + (rt.totalMemory() - rt.freeMemory() >= 600L << 20));
        // Drop half and allocate again: the collector must reclaim it within -Xmx1g.
        for (int a = 0; a < arrays; a += 2) big[a] = null;
        long sum3 = 0;
        for (int round = 0; round < 3; round++) {
            for (int a = 0; a < arrays; a += 2) {
                big[a] = new long[len];
                big[a][len / 2] = round + a;
                sum3 += big[a][len / 2];
            }
            if (round < 2) for (int a = 0; a < arrays; a += 2) big[a] = null;
        }
        System.out.println("reallocated, checksum " + sum3);
    }
}

import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.zip.CRC32;

// Reads System.in to EOF and prints statistics of what it read.
//   StdinRead bytes   raw reads of varying sizes from System.in
//   StdinRead lines   a UTF-8 BufferedReader, line by line
// The build generates the input file (COMPARE_STDIN); /dev/null gives the empty case.
public class StdinRead {
    public static void main(String[] args) throws IOException {
        byte[] all;
        if (args.length > 0 && args[0].equals("lines")) {
            BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) { sb.append(line).append('\n'); n++; }
            System.out.println("readLine calls " + n + " eof again " + (r.readLine() == null));
            all = sb.toString().getBytes(StandardCharsets.UTF_8);
        } else {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int[] sizes = {1, 7, 4096, 3, 65536, 100};
            byte[] tmp = new byte[65536];
            int reads = 0, n;
            while ((n = System.in.read(tmp, 0, sizes[reads++ % sizes.length])) > 0) buf.write(tmp, 0, n);
            System.out.println("eof: read returns " + n + ", then " + System.in.read());
            all = buf.toByteArray();
        }
        CRC32 crc = new CRC32();
        crc.update(all);
        String text = new String(all, StandardCharsets.UTF_8);
        String[] lines = text.isEmpty() ? new String[0] : text.split("\n", -1);
        int nonEmpty = 0, nonAscii = 0;
        long numberSum = 0;
        Map<String, Integer> freq = new TreeMap<>();
        for (String l : lines) {
            if (!l.isBlank()) nonEmpty++;
            if (l.chars().anyMatch(c -> c > 127)) nonAscii++;
            for (String w : l.split("[\\s,:;]+")) {
                if (w.isEmpty()) continue;
                if (w.matches("-?\\d+")) numberSum += Long.parseLong(w);
                else freq.merge(w, 1, Integer::sum);
            }
        }
        List<Map.Entry<String, Integer>> top = new ArrayList<>(freq.entrySet());
        top.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        System.out.println("bytes " + all.length + " chars " + text.length() + " codepoints " + text.codePointCount(0, text.length())
                + " crc32 " + Long.toHexString(crc.getValue()));
        System.out.println("lines " + lines.length + " non-empty " + nonEmpty + " non-ascii " + nonAscii + " number sum " + numberSum
                + " distinct words " + freq.size());
        System.out.println("top words " + top.subList(0, Math.min(5, top.size())));
        if (lines.length > 2) System.out.println("first [" + lines[0] + "] last non-empty [" + lastNonEmpty(lines) + "]");
    }

    static String lastNonEmpty(String[] lines) {
        for (int i = lines.length - 1; i >= 0; i--) if (!lines[i].isEmpty()) return lines[i];
        return "";
    }
}

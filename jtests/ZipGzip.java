import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import java.util.zip.*;

// java.util.zip: ZipOutputStream/ZipInputStream in memory and ZipFile on disk, GZIP round trips,
// Deflater/Inflater at several levels, CRC32/Adler32/CRC32C. Entry times are fixed. Files are
// written with java.io streams (FilesNio and FileChannels cover NIO channels).
public class ZipGzip {
    static final long TIME = 1_600_000_000_000L;

    public static void main(String[] args) throws Exception {
        byte[] text = sampleText();
        byte[] noise = new byte[200_000];
        long x = 12345;
        for (int i = 0; i < noise.length; i++) { x = x * 6364136223846793005L + 1442695040888963407L; noise[i] = (byte) (x >>> 56); }
        System.out.println("inputs text " + text.length + " noise " + noise.length);
        System.out.println("crc32 " + Long.toHexString(checksum(new CRC32(), text)) + " adler32 " + Long.toHexString(checksum(new Adler32(), text))
                + " crc32c " + Long.toHexString(checksum(new CRC32C(), text)) + " crc32(noise) " + Long.toHexString(checksum(new CRC32(), noise)));
        CRC32 known = new CRC32();
        known.update("123456789".getBytes(StandardCharsets.US_ASCII));
        System.out.println("crc32 check value " + Long.toHexString(known.getValue()));

        ByteArrayOutputStream zbytes = new ByteArrayOutputStream();
        try (ZipOutputStream zos = new ZipOutputStream(zbytes)) {
            zos.setComment("made by ZipGzip");
            addEntry(zos, "docs/readme.txt", "read me\n".repeat(100).getBytes(StandardCharsets.UTF_8), ZipEntry.DEFLATED);
            addEntry(zos, "data/text.txt", text, ZipEntry.DEFLATED);
            addEntry(zos, "data/noise.bin", noise, ZipEntry.DEFLATED);
            addEntry(zos, "stored/plain.txt", "stored, not compressed".getBytes(StandardCharsets.UTF_8), ZipEntry.STORED);
            ZipEntry dir = new ZipEntry("empty-dir/");
            dir.setTime(TIME);
            zos.putNextEntry(dir);
            zos.closeEntry();
        }
        byte[] zip = zbytes.toByteArray();
        System.out.println("zip archive " + zip.length + " bytes, crc " + Long.toHexString(checksum(new CRC32(), zip)));
        try (ZipInputStream zis = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = zis.getNextEntry()) != null) {
                byte[] data = zis.readAllBytes();
                System.out.println("  entry " + e.getName() + " dir " + e.isDirectory() + " method " + (e.getMethod() == ZipEntry.STORED ? "stored" : "deflated")
                        + " read " + data.length + " crc " + Long.toHexString(checksum(new CRC32(), data)) + " time ok " + (e.getTime() == TIME));
            }
        }
        Path dir = Files.createTempDirectory(Paths.get("."), "zipgzip-");
        try {
            Path zf = dir.resolve("archive.zip");
            try (FileOutputStream out = new FileOutputStream(zf.toFile())) { out.write(zip); }
            try (ZipFile z = new ZipFile(zf.toFile())) {
                System.out.println("ZipFile size " + z.size() + " comment " + z.getComment());
                List<String> names = new ArrayList<>();
                z.stream().forEach(en -> names.add(en.getName() + ":" + en.getSize() + "/" + en.getCompressedSize()));
                Collections.sort(names);
                System.out.println("  " + names);
                ZipEntry t = z.getEntry("data/text.txt");
                try (InputStream in = z.getInputStream(t)) {
                    System.out.println("  random access read equal " + Arrays.equals(in.readAllBytes(), text));
                }
            }
            Path gz = dir.resolve("text.gz");
            try (OutputStream out = new GZIPOutputStream(new FileOutputStream(gz.toFile()))) {
                for (int i = 0; i < 20; i++) out.write(text);
            }
            byte[] gzBytes;
            try (FileInputStream in = new FileInputStream(gz.toFile())) { gzBytes = in.readAllBytes(); }
            System.out.println("gzip magic " + Integer.toHexString(gzBytes[0] & 0xff) + Integer.toHexString(gzBytes[1] & 0xff)
                    + " compressed " + gzBytes.length + " of " + 20 * text.length);
            long total = 0;
            CRC32 crc = new CRC32();
            try (InputStream in = new GZIPInputStream(new FileInputStream(gz.toFile()), 4096)) {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0) { total += n; crc.update(buf, 0, n); }
            }
            System.out.println("gunzip " + total + " crc " + Long.toHexString(crc.getValue()));
        } finally {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        ByteArrayOutputStream mem = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(mem)) { g.write(noise); }
        byte[] back = new GZIPInputStream(new ByteArrayInputStream(mem.toByteArray())).readAllBytes();
        System.out.println("gzip noise round trip " + Arrays.equals(back, noise) + " compressed " + mem.size());

        for (int level : new int[] {Deflater.NO_COMPRESSION, Deflater.BEST_SPEED, 6, Deflater.BEST_COMPRESSION}) {
            Deflater d = new Deflater(level);
            d.setInput(text);
            d.finish();
            byte[] out = new byte[text.length + 1024];
            int clen = d.deflate(out);
            d.end();
            Inflater inf = new Inflater();
            inf.setInput(out, 0, clen);
            byte[] res = new byte[text.length];
            int rlen = inf.inflate(res);
            boolean finished = inf.finished();
            inf.end();
            System.out.println("deflate level " + level + " -> " + clen + " inflate " + rlen + " equal " + Arrays.equals(res, text) + " finished " + finished);
        }
        try {
            new GZIPInputStream(new ByteArrayInputStream("not gzip".getBytes(StandardCharsets.US_ASCII)));
        } catch (ZipException e) {
            System.out.println("bad gzip: " + e.getMessage());
        }
        Inflater bad = new Inflater();
        bad.setInput(new byte[] {1, 2, 3, 4, 5});
        try {
            bad.inflate(new byte[10]);
        } catch (DataFormatException e) {
            System.out.println("bad deflate stream: DataFormatException");
        } finally {
            bad.end();
        }
    }

    static void addEntry(ZipOutputStream zos, String name, byte[] data, int method) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(TIME);
        e.setMethod(method);
        if (method == ZipEntry.STORED) {
            e.setSize(data.length);
            e.setCompressedSize(data.length);
            e.setCrc(checksum(new CRC32(), data));
        }
        zos.putNextEntry(e);
        zos.write(data);
        zos.closeEntry();
    }

    static long checksum(Checksum c, byte[] data) {
        c.update(data, 0, data.length);
        return c.getValue();
    }

    static byte[] sampleText() {
        StringBuilder sb = new StringBuilder();
        String[] words = {"lorem", "ipsum", "dolor", "sit", "amet", "jvmos", "kernel", "guest", "host", "ship"};
        for (int i = 0; i < 40_000; i++) {
            sb.append(words[(i * i + 3 * i) % words.length]);
            sb.append(i % 13 == 0 ? "\n" : " ");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}

import java.io.*;
import java.nio.*;
import java.nio.channels.*;
import java.nio.file.*;
import java.util.*;

// NIO channels on a temporary file under the current directory: positional and scattering
// I/O, RandomAccessFile, truncate, transferTo/From, advisory locks, and memory-mapped files.
//   FileChannels         read-only mapping (MAP_SHARED, PROT_READ) and MapMode.PRIVATE
//   FileChannels rw      also a writable shared mapping (MapMode.READ_WRITE) and force()
public class FileChannels {
    public static void main(String[] args) throws Exception {
        boolean rw = args.length > 0 && args[0].equals("rw");
        Path dir = Files.createTempDirectory(Paths.get("."), "filechannels-");
        try {
            run(dir, rw);
        } finally {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        System.out.println("cleaned up");
    }

    static void run(Path dir, boolean rw) throws Exception {
        Path f = dir.resolve("data.bin");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(8192);
            for (int block = 0; block < 64; block++) {
                b.clear();
                while (b.hasRemaining()) b.putInt(block * 10_000 + b.position());
                b.flip();
                while (b.hasRemaining()) ch.write(b);
            }
            System.out.println("written size " + ch.size() + " position " + ch.position());
            ByteBuffer one = ByteBuffer.allocate(4);
            ch.read(one, 8192 * 10 + 40);
            System.out.println("positional read " + one.flip().getInt() + " position unchanged " + ch.position());
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), 8192 * 64 + 100);
            System.out.println("write past end grows to " + ch.size());
            ch.truncate(8192 * 64);
            System.out.println("truncated to " + ch.size());
            ByteBuffer h = ByteBuffer.allocate(6), body = ByteBuffer.allocate(10);
            ch.position(0);
            long got = ch.read(new ByteBuffer[] {h, body});
            System.out.println("scatter read " + got + " header " + Arrays.toString(h.array()) + " body[9] " + body.get(9));
            ch.force(true);
            FileLock lock = ch.lock(0, 1024, false);
            System.out.println("exclusive lock valid " + lock.isValid() + " shared " + lock.isShared() + " overlapping in same JVM throws "
                    + overlapThrows(ch));
            lock.release();
            FileLock t = ch.tryLock(0, Long.MAX_VALUE, true);
            System.out.println("tryLock shared " + (t != null && t.isShared()));
            t.release();
        }
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(1000);
            int v = raf.readInt();
            raf.seek(1000);
            raf.writeInt(-v);
            raf.seek(1000);
            System.out.println("RandomAccessFile " + v + " -> " + raf.readInt() + " pointer " + raf.getFilePointer() + " length " + raf.length());
            raf.setLength(raf.length() + 4096);
            System.out.println("setLength " + raf.length());
        }
        Path copy = dir.resolve("copy.bin");
        try (FileChannel src = FileChannel.open(f); FileChannel dst = FileChannel.open(copy, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long moved = 0;
            while (moved < src.size()) moved += src.transferTo(moved, src.size() - moved, dst);
            System.out.println("transferTo " + moved);
        }
        System.out.println("copy mismatch " + Files.mismatch(f, copy));
        Path copy2 = dir.resolve("copy2.bin");
        try (FileChannel src = FileChannel.open(copy); FileChannel dst = FileChannel.open(copy2, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long moved = 0;
            while (moved < src.size()) moved += dst.transferFrom(src, moved, src.size() - moved);
            System.out.println("transferFrom " + moved + " mismatch " + Files.mismatch(copy, copy2));
        }

        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            long sum = 0;
            IntBuffer ib = m.asIntBuffer();
            while (ib.hasRemaining()) sum += ib.get();
            System.out.println("read-only map " + m.capacity() + " bytes, int sum " + sum + " readOnly " + m.isReadOnly());
            MappedByteBuffer tail = ch.map(FileChannel.MapMode.READ_ONLY, 8192 * 63, 8192);
            System.out.println("offset map first int " + tail.getInt(0));
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer priv = ch.map(FileChannel.MapMode.PRIVATE, 0, 8192);
            priv.putInt(0, 0x7777);
            ByteBuffer check = ByteBuffer.allocate(4);
            ch.read(check, 0);
            System.out.println("private map write visible in map " + Integer.toHexString(priv.getInt(0)) + ", file still " + check.flip().getInt());
        }
        if (rw) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size() + 8192);
                for (int i = 0; i < m.capacity(); i += 4096) m.putInt(i, i / 4096);
                m.force();
                System.out.println("shared writable map grew file to " + ch.size());
            }
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f)))) {
                long s = 0;
                for (int page = 0; page < 66; page++) {
                    s += in.readInt();
                    in.skipBytes(4092);
                }
                System.out.println("map writes visible to read(): page index sum " + s);
            }
        }
    }

    static boolean overlapThrows(FileChannel ch) throws IOException {
        try {
            ch.lock(512, 10, false);
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        }
    }
}

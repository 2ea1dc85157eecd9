import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.nio.file.attribute.*;
import java.util.*;
import java.util.stream.*;

// java.io and java.nio.file in a fresh temporary directory under the current directory:
// write/read (lines, bytes, streams, readers), directories, walk, copy, move, delete, attributes,
// symbolic links. Paths are printed relative to the temporary directory, listings sorted.
public class FilesNio {
    public static void main(String[] args) throws IOException {
        Path root = Files.createTempDirectory(Paths.get("."), "filesnio-");
        try {
            run(root);
        } finally {
            deleteTree(root);
            System.out.println("cleaned up " + !Files.exists(root));
        }
    }

    static void run(Path root) throws IOException {
        Path a = root.resolve("a.txt");
        Files.write(a, List.of("alpha", "beta", "gamma"), StandardCharsets.UTF_8);
        System.out.println("readAllLines " + Files.readAllLines(a) + " size " + Files.size(a));
        Files.write(a, List.of("delta"), StandardOpenOption.APPEND);
        Files.writeString(root.resolve("s.txt"), "caf\u00e9\nline2\n");
        System.out.println("after append " + Files.readAllLines(a) + " readString bytes "
                + Files.readAllBytes(root.resolve("s.txt")).length + " chars " + Files.readString(root.resolve("s.txt")).length());

        Path deep = root.resolve("d1/d2/d3");
        Files.createDirectories(deep);
        byte[] blob = new byte[300_000];
        for (int i = 0; i < blob.length; i++) blob[i] = (byte) (i * 7 + (i >> 8));
        Files.write(deep.resolve("blob.bin"), blob);
        for (int i = 0; i < 20; i++) Files.writeString(root.resolve("d1").resolve(String.format("f%02d.txt", i)), "file " + i + "\n");
        Files.createDirectory(root.resolve("empty"));
        System.out.println("walk:");
        try (Stream<Path> s = Files.walk(root)) {
            for (String line : s.map(p -> rel(root, p) + (Files.isDirectory(p) ? "/" : " " + sizeOf(p))).sorted().toList())
                System.out.println("  " + line);
        }
        try (Stream<Path> s = Files.list(root.resolve("d1"))) {
            System.out.println("list d1 count " + s.count());
        }
        try (Stream<Path> s = Files.find(root, 10, (p, at) -> at.isRegularFile() && p.getFileName().toString().endsWith("5.txt"))) {
            System.out.println("find *5.txt " + s.map(p -> rel(root, p)).sorted().toList());
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve("d1"), "f1?.txt")) {
            List<String> names = new ArrayList<>();
            for (Path p : ds) names.add(p.getFileName().toString());
            Collections.sort(names);
            System.out.println("glob f1?.txt " + names);
        }

        Path copy = root.resolve("copy.bin");
        Files.copy(deep.resolve("blob.bin"), copy);
        System.out.println("copy equal " + Arrays.equals(Files.readAllBytes(copy), blob) + " mismatch " + Files.mismatch(copy, deep.resolve("blob.bin")));
        try {
            Files.copy(a, copy);
        } catch (FileAlreadyExistsException e) {
            System.out.println("copy onto existing: FileAlreadyExistsException");
        }
        Files.copy(a, copy, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("replaced size " + Files.size(copy));
        Path moved = Files.move(copy, root.resolve("d1/moved.txt"));
        System.out.println("moved exists " + Files.exists(moved) + " source gone " + Files.notExists(copy));
        Files.move(root.resolve("d1/d2"), root.resolve("renamed-d2"), StandardCopyOption.ATOMIC_MOVE);
        System.out.println("directory renamed: blob at new place " + Files.size(root.resolve("renamed-d2/d3/blob.bin")));
        try (InputStream in = Files.newInputStream(root.resolve("renamed-d2/d3/blob.bin"))) {
            Files.copy(in, root.resolve("streamed.bin"));
        }
        System.out.println("stream copy mismatch " + Files.mismatch(root.resolve("streamed.bin"), root.resolve("renamed-d2/d3/blob.bin")));

        try (BufferedWriter w = Files.newBufferedWriter(root.resolve("numbers.txt"))) {
            for (int i = 0; i < 10_000; i++) { w.write(Integer.toString(i * i)); w.newLine(); }
        }
        long sum = 0;
        try (BufferedReader r = Files.newBufferedReader(root.resolve("numbers.txt"))) {
            String line;
            while ((line = r.readLine()) != null) sum += Long.parseLong(line);
        }
        try (Stream<String> lines = Files.lines(root.resolve("numbers.txt"))) {
            System.out.println("buffered io sum " + sum + " lines " + lines.count());
        }
        File legacy = root.resolve("legacy.dat").toFile();
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(legacy)))) {
            out.writeInt(42); out.writeLong(-1L); out.writeUTF("utf"); out.writeDouble(Math.E);
        }
        try (DataInputStream in = new DataInputStream(new FileInputStream(legacy))) {
            System.out.println("java.io data " + in.readInt() + " " + in.readLong() + " " + in.readUTF() + " " + in.readDouble()
                    + " length " + legacy.length() + " isFile " + legacy.isFile() + " canRead " + legacy.canRead());
        }
        try (PrintWriter pw = new PrintWriter(new FileWriter(root.resolve("pw.txt").toFile()))) {
            pw.printf(Locale.ROOT, "%d %s %.2f%n", 1, "two", 3.0);
        }
        System.out.println("printwriter " + Files.readString(root.resolve("pw.txt")).trim());
        String[] listed = root.resolve("d1").toFile().list();
        Arrays.sort(listed);
        System.out.println("File.list " + listed.length + " first " + listed[0] + " last " + listed[listed.length - 1]);
        File mk = new File(root.toFile(), "x/y");
        System.out.println("mkdirs " + mk.mkdirs() + " again " + mk.mkdirs() + " delete " + mk.delete());
        File renamed = new File(root.toFile(), "legacy2.dat");
        System.out.println("renameTo " + legacy.renameTo(renamed) + " old exists " + legacy.exists());

        BasicFileAttributes at = Files.readAttributes(a, BasicFileAttributes.class);
        System.out.println("attributes regular " + at.isRegularFile() + " dir " + at.isDirectory() + " size " + at.size()
                + " symlink " + at.isSymbolicLink());
        FileTime fixed = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(a, fixed);
        System.out.println("mtime set " + Files.getLastModifiedTime(a).equals(fixed));
        Set<PosixFilePermission> perms = PosixFilePermissions.fromString("rw-r-----");
        Files.setPosixFilePermissions(a, perms);
        System.out.println("permissions " + PosixFilePermissions.toString(Files.getPosixFilePermissions(a))
                + " readable " + Files.isReadable(a) + " executable " + Files.isExecutable(a));
        Path link = root.resolve("link-to-a");
        Files.createSymbolicLink(link, Paths.get("a.txt"));
        System.out.println("symlink " + Files.isSymbolicLink(link) + " target " + Files.readSymbolicLink(link)
                + " reads " + Files.readAllLines(link).get(0) + " same file " + Files.isSameFile(link, a));
        Path hard = root.resolve("hard-a");
        Files.createLink(hard, a);
        System.out.println("hard link nlink " + Files.getAttribute(a, "unix:nlink") + " same file " + Files.isSameFile(hard, a));
        System.out.println("real path relative " + rel(root.toRealPath(), link.toRealPath()));
        Path tmpf = Files.createTempFile(root, "tmp", ".txt");
        System.out.println("temp file in dir " + tmpf.getParent().equals(root) + " name ok " + tmpf.getFileName().toString().endsWith(".txt"));

        try {
            Files.delete(root.resolve("d1"));
        } catch (DirectoryNotEmptyException e) {
            System.out.println("delete non-empty dir: DirectoryNotEmptyException");
        }
        try {
            Files.readAllBytes(root.resolve("missing"));
        } catch (NoSuchFileException e) {
            System.out.println("missing file: NoSuchFileException");
        }
        System.out.println("deleteIfExists " + Files.deleteIfExists(root.resolve("missing")) + " " + Files.deleteIfExists(hard));
        Path norm = Paths.get("a/./b/../c//d.txt").normalize();
        System.out.println("path ops " + norm + " parent " + norm.getParent() + " name " + norm.getFileName() + " count "
                + norm.getNameCount() + " relativize " + Paths.get("/x/y").relativize(Paths.get("/x/z/w")) + " resolveSibling "
                + norm.resolveSibling("e.txt") + " absolute " + Paths.get("/p").isAbsolute());
        try (Stream<Path> s = Files.walk(root)) {
            System.out.println("final tree: " + s.map(p -> rel(root, p)).filter(x -> !x.startsWith("tmp")).sorted().collect(Collectors.joining(" ")));
        }
    }

    static String rel(Path root, Path p) {
        String r = root.relativize(p).toString();
        return r.isEmpty() ? "." : r;
    }

    static long sizeOf(Path p) {
        try { return Files.size(p); } catch (IOException e) { return -1; }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}

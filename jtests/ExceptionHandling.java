import java.io.*;
import java.util.*;

// Exceptions in Java code: checked and custom exceptions, causes, try-with-resources with
// suppressed exceptions, finally ordering, static initializer failures and stack traces.
public class ExceptionHandling {
    static class AppException extends Exception {
        final int code;
        AppException(String msg, int code, Throwable cause) { super(msg, cause); this.code = code; }
    }
    static class NotFound extends AppException {
        NotFound(String what) { super("not found: " + what, 404, null); }
    }
    static final List<String> events = new ArrayList<>();

    static class Res implements AutoCloseable {
        final String name; final boolean failClose;
        Res(String name, boolean failClose) { this.name = name; this.failClose = failClose; events.add("open " + name); }
        public void close() throws IOException {
            events.add("close " + name);
            if (failClose) throw new IOException("close failed: " + name);
        }
    }

    static class BadInit {
        static final int VALUE = compute();
        static int compute() { throw new IllegalStateException("static init failed"); }
    }

    static String lookup(Map<String, String> m, String k) throws NotFound {
        String v = m.get(k);
        if (v == null) throw new NotFound(k);
        return v;
    }

    static int level3(int x) throws AppException {
        try {
            return 100 / x;
        } catch (ArithmeticException e) {
            throw new AppException("level3 failed", 500, e);
        }
    }
    static int level2(int x) throws AppException { return level3(x) + 1; }
    static int level1(int x) throws AppException { return level2(x) + 1; }

    @SuppressWarnings("finally")
    static int finallyWins() { try { return 1; } finally { return 2; } }

    static int tryOrder(StringBuilder sb) {
        int x = 10;
        try { sb.append("try "); return x; } finally { x = 20; sb.append("finally(x=" + x + ")"); }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> m = Map.of("a", "1");
        try {
            lookup(m, "a");
            lookup(m, "zzz");
        } catch (NotFound e) {
            System.out.println("custom checked: " + e.getMessage() + " code " + e.code + " isAppException "
                    + (e instanceof AppException));
        }
        try {
            level1(0);
        } catch (AppException e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            System.out.println("chained: " + e.getMessage() + " code " + e.code + " root " + root);
            StackTraceElement top = e.getStackTrace()[0];
            System.out.println("thrown in " + top.getMethodName() + " at " + top.getFileName() + ":" + top.getLineNumber());
            StringWriter sw = new StringWriter();
            e.printStackTrace(new PrintWriter(sw));
            String[] lines = sw.toString().split("\n");
            System.out.println("trace lines: " + lines[0] + " | " + lines[1].trim() + " | " + lines[2].trim());
            System.out.println("caused-by line present " + sw.toString().contains("Caused by: java.lang.ArithmeticException: / by zero"));
        }

        try (Res a = new Res("A", false); Res b = new Res("B", true); Res c = new Res("C", true)) {
            events.add("body");
            throw new IllegalStateException("body failed");
        } catch (IllegalStateException e) {
            events.add("caught " + e.getMessage());
            for (Throwable s : e.getSuppressed()) events.add("suppressed " + s.getMessage());
        } finally {
            events.add("finally");
        }
        System.out.println("twr " + events);
        events.clear();
        try (Res a = new Res("X", true)) {
            events.add("body ok");
        } catch (IOException e) {
            events.add("close exception is primary: " + e.getMessage() + " suppressed " + e.getSuppressed().length);
        }
        System.out.println("twr2 " + events);

        Throwable manual = new Exception("primary");
        manual.addSuppressed(new RuntimeException("s1"));
        manual.addSuppressed(new Error("s2"));
        System.out.println("addSuppressed " + manual.getSuppressed().length + " " + manual.getSuppressed()[1]);

        for (Object o : new Object[] {"str", 42, null, new int[0]}) {
            try {
                String s = (String) o;
                System.out.println("cast ok " + s.length());
            } catch (ClassCastException | NullPointerException e) {
                System.out.println("multi-catch " + e.getClass().getSimpleName());
            }
        }
        try { Integer.parseInt("12x"); } catch (NumberFormatException e) { System.out.println("NFE " + e.getMessage()); }
        try { new int[3][-1].toString(); } catch (NegativeArraySizeException e) { System.out.println("NASE " + e.getMessage()); }
        try { int[] a = new int[2]; a[5] = 1; } catch (ArrayIndexOutOfBoundsException e) { System.out.println("AIOOBE " + e.getMessage()); }
        try { "abc".substring(5); } catch (StringIndexOutOfBoundsException e) { System.out.println("SIOOBE " + e.getMessage()); }
        try { Object x = Integer.valueOf(1); String s = (String) x; } catch (ClassCastException e) { System.out.println("CCE " + e.getMessage()); }
        try { Object[] arr = new String[1]; arr[0] = 1; } catch (ArrayStoreException e) { System.out.println("ASE " + e.getMessage()); }
        try { List.of(1).iterator().remove(); } catch (UnsupportedOperationException e) { System.out.println("UOE " + e.getClass().getSimpleName()); }
        try { Objects.requireNonNull(null, "must not be null"); } catch (NullPointerException e) { System.out.println("NPE " + e.getMessage()); }
        try {
            String s = null;
            s.length();
        } catch (NullPointerException e) {
            System.out.println("helpful NPE " + e.getMessage());
        }

        for (int i = 0; i < 2; i++) {
            try {
                System.out.println(BadInit.VALUE);
            } catch (Throwable t) {
                System.out.println("static init attempt " + i + ": " + t.getClass().getSimpleName()
                        + (t.getCause() != null ? " cause " + t.getCause().getMessage() : ""));
            }
        }
        System.out.println("finally overrides return " + finallyWins());
        StringBuilder sb = new StringBuilder();
        System.out.println("return value fixed before finally " + tryOrder(sb) + " " + sb);

        int caught = 0;
        for (int i = 0; i < 100_000; i++) {
            try {
                if (i % 3 == 0) throw new AppException("loop", i, null);
            } catch (AppException e) { caught += e.code % 7; }
        }
        System.out.println("exceptions in a hot loop " + caught);
        try {
            sneaky();
        } catch (Exception e) {
            System.out.println("sneaky checked " + e.getClass().getName());
        }
        Error err = new AssertionError("assertion", new IOException("io"));
        System.out.println("error " + err.getMessage() + " cause " + err.getCause().getMessage());
        try {
            throw new UncheckedIOException(new FileNotFoundException("missing.txt"));
        } catch (UncheckedIOException e) {
            System.out.println("unchecked wrapper " + e.getCause().getMessage());
        }
    }

    static void sneaky() { ExceptionHandling.<RuntimeException>throwAs(new IOException("hidden")); }
    @SuppressWarnings("unchecked")
    static <T extends Throwable> void throwAs(Throwable t) throws T { throw (T) t; }
}

import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

// Not a test by itself: packed into plugin.jar at build time (with a generated resource and a
// Main-Class manifest) and loaded by JarLoading, or run with `java -jar plugin.jar`.
public class JarPlugin implements Function<String, String> {
    public static int instances;
    private final String prefix;

    public JarPlugin() { this("plugin"); }
    public JarPlugin(String prefix) { this.prefix = prefix; instances++; }

    public String apply(String s) { return prefix + "(" + new StringBuilder(s).reverse() + ")"; }

    public static String resource() throws IOException {
        try (InputStream in = JarPlugin.class.getResourceAsStream("/jarplugin/message.txt")) {
            if (in == null) return "missing";
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    public static class Helper {
        public static int twice(int x) { return 2 * x; }
    }

    public static void main(String[] args) throws IOException {
        System.out.println("JarPlugin main: " + new JarPlugin().apply("jar") + " resource [" + resource() + "] helper "
                + Helper.twice(21) + " args " + args.length);
        System.out.println("from jar " + JarPlugin.class.getProtectionDomain().getCodeSource().getLocation().getPath()
                .endsWith("plugin.jar"));
    }
}

// The demo: the unmodified Debian OpenJDK 17 runs this on jvmos (scripts/demo.sh).
public class Hello {
    public static void main(String[] args) {
        System.out.println("Hello from Java " + System.getProperty("java.version")
                + " on jvmos: " + Runtime.getRuntime().availableProcessors() + " CPU(s), "
                + (Runtime.getRuntime().maxMemory() >> 20) + " MiB max heap");
    }
}

// The first jtest: the unmodified JVM starts on jvmos, prints, computes, runs a thread and
// exits with a chosen status. The harness compares its stdout and status with a Linux run.
public class Hello {
    public static void main(String[] args) throws Exception {
        System.out.println("Hello from Java, " + args.length + " args: " + String.join(",", args));
        long sum = 0;
        for (int i = 0; i < 5_000_000; i++) sum += i % 7;
        System.out.println("sum " + sum);
        StringBuilder sb = new StringBuilder();
        Thread t = new Thread(() -> sb.append("from a thread"));
        t.start();
        t.join();
        System.out.println(sb);
        System.out.println("processors " + (Runtime.getRuntime().availableProcessors() > 0));
        System.exit(args.length);
    }
}

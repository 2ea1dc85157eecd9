import java.util.ArrayList;
import java.util.List;

// Signals the Java way, driven by tests/integration/java_signals.sh:
//   wait    prints "ready", then sleeps; a shutdown hook prints "shutdown hook ran" (Ctrl-C,
//           SIGTERM); SIGQUIT makes the JVM print a thread dump and the program goes on.
//   oom     fills the heap until OutOfMemoryError (run with -XX:+CrashOnOutOfMemoryError: the
//           JVM aborts and writes hs_err_pid<pid>.log in the working directory).
public class JavaSignals {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("oom")) {
            List<long[]> hog = new ArrayList<>();
            System.out.println("filling the heap");
            System.out.flush();
            while (true) hog.add(new long[1 << 16]);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("shutdown hook ran");
            System.out.flush();
        }, "goodbye"));
        Thread worker = new Thread(() -> {
            try { Thread.sleep(600_000); } catch (InterruptedException e) { }
        }, "sleepy-worker");
        worker.setDaemon(true);
        worker.start();
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(120_000);
        System.out.println("nobody signalled");
    }
}

// Process exit statuses, chosen by the arguments:
//   exit N      System.exit(N) from main (N may be negative or > 255: Linux keeps the low byte)
//   halt N      Runtime.halt(N): shutdown hooks do not run
//   hook N      System.exit(N) with a shutdown hook that prints
//   thread N    System.exit(N) from another thread while main is blocked
//   throw       an uncaught exception in main: status 1
//   return      main returns while a non-daemon thread still runs; status 0 when it ends
public class ExitCodes {
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int status = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        System.out.println("mode " + mode + " status " + status);
        switch (mode) {
            case "exit" -> System.exit(status);
            case "halt" -> {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("hook must not run")));
                System.out.flush();
                Runtime.getRuntime().halt(status);
            }
            case "hook" -> {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    System.out.println("shutdown hook ran");
                    System.out.flush();
                }));
                System.exit(status);
            }
            case "thread" -> {
                Thread t = new Thread(() -> System.exit(status));
                t.start();
                Object never = new Object();
                synchronized (never) { never.wait(); }
            }
            case "throw" -> throw new IllegalStateException("uncaught on purpose (stderr)");
            case "return" -> {
                Thread t = new Thread(() -> {
                    try { Thread.sleep(200); } catch (InterruptedException e) { }
                    System.out.println("non-daemon thread finished after main returned");
                });
                t.start();
            }
            default -> System.exit(99);
        }
        System.out.println("main returns");
    }
}

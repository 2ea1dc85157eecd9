// Exceptions HotSpot implements with hardware faults: implicit null checks (SIGSEGV), integer
// division by zero (SIGFPE), stack overflow (the guard pages), once the code is hot enough for
// the JIT to compile it with implicit checks.
public class Exceptions {
    static int[] arr;
    static String s;
    static int depth;
    static int div(int a, int b) { return a / b; }
    static int len(String x) { return x.length(); }
    static void recurse() { depth++; recurse(); }
    public static void main(String[] args) {
        int caught = 0;
        for (int i = 0; i < 20000; i++) {   // hot: C2 compiles these with implicit checks
            try { len(i % 1000 == 0 ? null : "abc"); } catch (NullPointerException e) { caught++; }
            try { div(i, i % 500 == 0 ? 0 : 1); } catch (ArithmeticException e) { caught++; }
        }
        System.out.println("caught " + caught);
        try { recurse(); } catch (StackOverflowError e) { System.out.println("stack overflow caught, deep=" + (depth > 1000)); }
        try { arr[3] = 1; } catch (NullPointerException e) { System.out.println("NPE: " + e.getMessage()); }
        System.out.println("done");
    }
}

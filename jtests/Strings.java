import java.nio.charset.StandardCharsets;
import java.util.Locale;

// Strings, StringBuilder and String.format (Locale.ROOT): results only, no identities.
public class Strings {
    public static void main(String[] args) {
        String s = "The quick brown fox jumps over the lazy dog";
        System.out.println("length " + s.length() + " upper " + s.toUpperCase(Locale.ROOT));
        System.out.println("indexOf fox " + s.indexOf("fox") + " lastIndexOf o " + s.lastIndexOf('o')
                + " contains lazy " + s.contains("lazy"));
        System.out.println("split/join " + String.join("|", s.split(" ")));
        System.out.println("replace/substring " + s.replace("o", "0").substring(4, 19));
        System.out.println("count o " + s.chars().filter(c -> c == 'o').count());
        System.out.println("strip [" + "  padded \t".strip() + "] trim [" + "  x ".trim() + "] blank "
                + " \t".isBlank() + " repeat " + "ab".repeat(3));
        System.out.println("lines " + "a\nb\r\nc\n".lines().count());
        String heap = new String("hello");
        System.out.println("identity " + (heap == "hello") + " interned " + (heap.intern() == "hello")
                + " equals " + heap.equals("hello"));
        System.out.println("compareTo " + "apple".compareTo("banana") + " ignoreCase "
                + "Apple".compareToIgnoreCase("apple") + " regionMatches "
                + "Hello World".regionMatches(true, 6, "WORLDS", 0, 5));
        System.out.println("hashCode " + s.hashCode() + " empty " + "".hashCode());

        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 100; i++) sb.append(i).append(',');
        sb.setLength(sb.length() - 1);
        sb.insert(0, '[').append(']');
        System.out.println("builder length " + sb.length() + " head " + sb.substring(0, 12)
                + " tail " + sb.substring(sb.length() - 9));
        sb.replace(1, 6, "zero,one").deleteCharAt(sb.length() - 1).reverse();
        System.out.println("builder edited " + sb.substring(0, 15) + " hash " + sb.toString().hashCode());
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 300_000; i++) big.append((char) ('a' + i % 26));
        String bs = big.toString();
        System.out.println("big " + bs.length() + " hash " + bs.hashCode() + " xyz at "
                + bs.indexOf("xyza", 1000) + " last " + bs.lastIndexOf("abc"));
        String concat = "";
        for (int i = 0; i < 2000; i++) concat += i % 10;
        System.out.println("concat " + concat.length() + " hash " + concat.hashCode());

        System.out.println(String.format(Locale.ROOT, "[%5d|%-5s|%08.3f|%x|%X|%o|%e|%,d|%b|%c|%10.3s|%%]",
                42, "ab", Math.PI, 255, 48879, 8, 12345.678, 1234567890, true, 'Z', "truncate"));
        System.out.println(String.format(Locale.ROOT, "[%+d|% d|%(d|%#x|%#o|%-8.2f|%g|%a]",
                7, 7, -7, 255, 8, 2.5, 0.00012345, 1.0));
        System.out.println(String.format(Locale.ROOT, "%2$s %1$s %2$s", "a", "b") + " "
                + "%s=%d".formatted("n", 3));
        System.out.println("doubles " + 0.1 + " " + (0.1 + 0.2) + " " + 1e21 + " " + 1e-7 + " "
                + 100.0 + " " + Double.MAX_VALUE + " " + Float.MIN_VALUE + " " + (1.0 / 3) + " "
                + (float) (1.0 / 3) + " " + Double.NaN + " " + (-1.0 / 0));
        System.out.println("parse " + Integer.parseInt("-123") + " " + Long.parseLong("7fffffffffffffff", 16)
                + " " + Double.parseDouble("6.02e23") + " " + Integer.toBinaryString(42) + " "
                + Integer.toHexString(-1) + " " + Long.toString(Long.MIN_VALUE, 36) + " "
                + Integer.parseUnsignedInt("4294967295"));

        String u = "caf\u00e9 \uD83D\uDE00 \u00df";
        System.out.println("unicode length " + u.length() + " codePoints " + u.codePointCount(0, u.length())
                + " utf8 bytes " + u.getBytes(StandardCharsets.UTF_8).length + " upper length "
                + u.toUpperCase(Locale.ROOT).length() + " cp " + Integer.toHexString(u.codePointAt(5)));
        char[] cs = s.toCharArray();
        java.util.Arrays.sort(cs);
        System.out.println("sorted chars " + new String(cs).strip());
        String block = """
                first line
                  indented "quoted"
                last\
                 joined
                """;
        System.out.print(block);
        System.out.println("chars " + String.valueOf(new char[] {'o', 'k'}) + " " + Character.isLetter('\u00e9')
                + " " + Character.getNumericValue('7') + " " + Character.toChars(0x1F600).length);
    }
}

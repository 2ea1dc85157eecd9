import java.text.*;
import java.util.*;
import java.util.regex.*;
import java.util.stream.*;

// Text processing: java.util.regex (groups, named groups, flags, lookaround, replacement
// functions, splitting), String.format with Locale.ROOT, java.text formats, Scanner,
// StringTokenizer, Normalizer.
public class TextRegex {
    public static void main(String[] args) {
        String log = """
                2024-01-05 10:01:02 INFO  [main] started in 123 ms
                2024-01-05 10:01:03 WARN  [pool-1] slow request id=42 took 950 ms
                2024-01-05 10:02:00 ERROR [pool-2] failed id=43: java.io.IOException: reset
                2024-01-06 00:00:01 INFO  [main] rotated, 7 files, 2048 bytes
                2024-01-06 00:00:02 DEBUG [gc] pause 12 ms
                """;
        Pattern line = Pattern.compile("^(?<date>\\d{4}-\\d{2}-\\d{2}) (?<time>[\\d:]{8}) (?<level>[A-Z]+)\\s+\\[(?<thread>[^\\]]+)\\] (?<msg>.*)$",
                Pattern.MULTILINE);
        Matcher m = line.matcher(log);
        Map<String, Integer> levels = new TreeMap<>();
        while (m.find()) {
            levels.merge(m.group("level"), 1, Integer::sum);
            if (m.group("level").equals("ERROR")) System.out.println("error at " + m.group("time") + " in " + m.group("thread") + ": " + m.group("msg")
                    + " (span " + m.start("msg") + "-" + m.end("msg") + ")");
        }
        System.out.println("levels " + levels);
        System.out.println("durations " + Pattern.compile("(\\d+) ms").matcher(log).results().map(r -> r.group(1)).toList()
                + " ids " + Pattern.compile("id=(\\d+)").matcher(log).results().map(r -> Integer.parseInt(r.group(1))).reduce(0, Integer::sum));
        System.out.println("replace backrefs " + "2024-01-05".replaceAll("(\\d+)-(\\d+)-(\\d+)", "$3/$2/$1")
                + " named " + "John Smith".replaceAll("(?<first>\\w+) (?<last>\\w+)", "${last}, ${first}"));
        System.out.println("replace function " + Pattern.compile("\\d+").matcher("a1b22c333").replaceAll(r -> "<" + r.group().length() + ">")
                + " quoteReplacement " + "cost".replaceAll("cost", Matcher.quoteReplacement("$5.00")) + " quote " + "1+1=2".matches(Pattern.quote("1+1") + "=2"));
        System.out.println("case-insensitive " + Pattern.compile("hello", Pattern.CASE_INSENSITIVE).matcher("Say HeLLo!").find()
                + " dotall " + Pattern.compile("a.b", Pattern.DOTALL).matcher("a\nb").matches() + " no dotall " + "a\nb".matches("a.b")
                + " comments " + Pattern.compile("\\d+ # digits\n - \\d+", Pattern.COMMENTS).matcher("12-34").matches());
        System.out.println("lookahead " + Pattern.compile("\\w+(?=!)").matcher("wow! such text!").results().map(MatchResult::group).toList()
                + " lookbehind " + Pattern.compile("(?<=\\$)\\d+").matcher("pay $30 or $45").results().map(MatchResult::group).toList()
                + " negative " + Pattern.compile("\\b(?!un)\\w+able\\b").matcher("unable capable unbeatable readable").results().map(MatchResult::group).toList());
        System.out.println("greedy " + first("<.+>", "<a><b>") + " reluctant " + first("<.+?>", "<a><b>") + " possessive matches "
                + "aaa".matches("a*+a") + " backreference " + Pattern.compile("\\b(\\w+) \\1\\b").matcher("this is is a test test").results().map(MatchResult::group).toList());
        System.out.println("split " + Arrays.toString("a,b,,c,,".split(",")) + " limit " + Arrays.toString("a,b,,c,,".split(",", -1))
                + " " + Arrays.toString("a1b2c3".split("\\d", 2)) + " splitAsStream " + Pattern.compile("\\s*;\\s*").splitAsStream("x ; y;z ").toList());
        System.out.println("unicode classes " + "Ünïcödé 123 ☃".replaceAll("\\P{L}+", "_") + " " + Pattern.compile("\\p{Lu}").matcher("aBcDÉ").results().count()
                + " UNICODE_CHARACTER_CLASS \\w+ " + Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS).matcher("naïve café").results().map(MatchResult::group).toList().size());
        String email = "^[\\w.+-]+@[\\w-]+(\\.[\\w-]+)+$";
        System.out.println("validation " + Stream.of("a.b@c.org", "bad@", "x+y@sub.domain.io", "@no.com").map(s -> s + "=" + s.matches(email)).toList());
        StringBuilder hits = new StringBuilder();
        Matcher mm = Pattern.compile("o").matcher("foo boo zoo");
        while (mm.find()) hits.append(mm.start()).append(',');
        System.out.println("find positions " + hits + " region " + Pattern.compile("b").matcher("abcabc").region(2, 6).find()
                + " hitEnd " + hitEnd());
        boolean big = Pattern.compile("[ab]*c").matcher("ab".repeat(50_000) + "c").matches();
        System.out.println("100k-char input matched " + big);
        try {
            Pattern.compile("(unclosed");
        } catch (PatternSyntaxException e) {
            System.out.println("syntax error: " + e.getDescription() + " at " + e.getIndex());
        }

        System.out.println(String.format(Locale.ROOT, "table: |%-10s|%8.2f|%06d|%+.3e|%s|", "name", 1234.5678, 42, -0.000123, Arrays.asList(1, 2)));
        System.out.println(String.format(Locale.ROOT, "%,.2f %,d %(,.1f %08X %s %S %h %n", 9876543.21, -1234567, -42.25, 3054, null, "up", "hi").trim());
        System.out.println(String.format(Locale.US, "US %,.2f", 1234567.891) + " | " + String.format(Locale.GERMANY, "DE %,.2f", 1234567.891)
                + " | " + String.format(Locale.FRANCE, "FR %,.2f", 1234567.891).replace('\u202f', '_').replace('\u00a0', '_'));
        DecimalFormat df = new DecimalFormat("#,##0.00;(#,##0.00)", DecimalFormatSymbols.getInstance(Locale.ROOT));
        System.out.println("DecimalFormat " + df.format(1234.5) + " " + df.format(-0.126) + " " + new DecimalFormat("0.###E0", DecimalFormatSymbols.getInstance(Locale.ROOT)).format(123456)
                + " percent " + NumberFormat.getPercentInstance(Locale.US).format(0.256) + " currency " + NumberFormat.getCurrencyInstance(Locale.US).format(1234.5));
        try {
            System.out.println("parse " + NumberFormat.getInstance(Locale.US).parse("1,234.75") + " " + df.parse("(12.50)"));
        } catch (ParseException e) {
            System.out.println("parse failed");
        }
        System.out.println("MessageFormat " + new MessageFormat("{0} has {1,number,integer} files ({2,number,percent})", Locale.ROOT).format(new Object[] {"disk", 1500, 0.5})
                + " | " + new MessageFormat("There {0,choice,0#are no files|1#is one file|1<are {0,number,integer} files}.", Locale.ROOT).format(new Object[] {3}));
        SimpleDateFormat sdf = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZ EEE", Locale.ROOT);
        sdf.setTimeZone(TimeZone.getTimeZone("UTC"));
        System.out.println("SimpleDateFormat " + sdf.format(new Date(1_234_567_890_123L)));
        Scanner sc = new Scanner("12 apples, 3.5 kg; true 0x1F").useLocale(Locale.ROOT).useDelimiter("[\\s,;]+");
        System.out.println("Scanner " + sc.nextInt() + " " + sc.next() + " " + sc.nextDouble() + " " + sc.next() + " " + sc.nextBoolean() + " " + sc.hasNextInt() + " " + sc.next());
        StringTokenizer st = new StringTokenizer("a=1;b=2;c=3", ";=");
        StringBuilder toks = new StringBuilder();
        while (st.hasMoreTokens()) toks.append(st.nextToken()).append(' ');
        System.out.println("StringTokenizer " + toks.toString().trim());
        String composed = "\u00e9", decomposed = Normalizer.normalize(composed, Normalizer.Form.NFD);
        System.out.println("Normalizer NFD length " + decomposed.length() + " NFC back " + Normalizer.normalize(decomposed, Normalizer.Form.NFC).equals(composed)
                + " strip accents " + Normalizer.normalize("Crème brûlée", Normalizer.Form.NFD).replaceAll("\\p{M}", ""));
        BreakIterator bi = BreakIterator.getWordInstance(Locale.ROOT);
        String sentence = "Hello, world! It's 3.14 today.";
        bi.setText(sentence);
        List<String> wordsFound = new ArrayList<>();
        for (int s = bi.first(), e = bi.next(); e != BreakIterator.DONE; s = e, e = bi.next()) {
            String w = sentence.substring(s, e);
            if (Character.isLetterOrDigit(w.charAt(0))) wordsFound.add(w);
        }
        System.out.println("BreakIterator words " + wordsFound);
        ChoiceFormat cf = new ChoiceFormat(new double[] {0, 1, 2}, new String[] {"none", "one", "many"});
        System.out.println("ChoiceFormat " + cf.format(0) + " " + cf.format(1) + " " + cf.format(5));
    }

    static String first(String regex, String in) {
        Matcher m = Pattern.compile(regex).matcher(in);
        return m.find() ? m.group() : "-";
    }

    static boolean hitEnd() {
        Matcher m = Pattern.compile("abc").matcher("xxab");
        m.find();
        return m.hitEnd();
    }
}

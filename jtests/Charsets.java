import java.nio.*;
import java.nio.charset.*;
import java.util.*;

// Character sets and binary encodings: the default charset (from LANG/LC_ALL, identical both
// ways), UTF-8/UTF-16/ISO-8859-1 round trips, malformed input handling, Base64, HexFormat,
// ByteBuffer byte orders. Non-ASCII text is printed as code points or hex.
public class Charsets {
    public static void main(String[] args) throws Exception {
        System.out.println("default charset " + Charset.defaultCharset() + " file.encoding " + System.getProperty("file.encoding")
                + " sun.jnu.encoding " + System.getProperty("sun.jnu.encoding") + " native.encoding " + System.getProperty("native.encoding"));
        String s = "A\u00e9\u20ac\uD83D\uDE80z";
        for (String cs : new String[] {"UTF-8", "UTF-16", "UTF-16LE", "UTF-32", "ISO-8859-1", "US-ASCII", "windows-1252"}) {
            byte[] b = s.getBytes(cs);
            System.out.println(String.format(Locale.ROOT, "%-12s %2d bytes %s -> back equal %s", cs, b.length, HexFormat.of().formatHex(b),
                    new String(b, cs).equals(s)));
        }
        byte[] bad = {(byte) 0x41, (byte) 0xC3, (byte) 0x28, (byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x42};
        String replaced = new String(bad, StandardCharsets.UTF_8);
        System.out.println("malformed decoded with replacement: " + replaced.codePoints().mapToObj(Integer::toHexString).toList());
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
        try {
            strict.decode(ByteBuffer.wrap(bad));
        } catch (MalformedInputException e) {
            System.out.println("strict decoder: MalformedInputException length " + e.getInputLength());
        }
        CharsetEncoder ascii = StandardCharsets.US_ASCII.newEncoder();
        System.out.println("canEncode ascii " + ascii.canEncode("plain") + " " + ascii.canEncode("\u00e9") + " replacement "
                + Arrays.toString(ascii.replacement()));
        Set<String> want = new TreeSet<>(List.of("UTF-8", "UTF-16", "ISO-8859-1", "US-ASCII", "EUC-JP", "Shift_JIS", "GB18030", "KOI8-R"));
        want.removeIf(n -> !Charset.isSupported(n));
        System.out.println("supported " + want + " aliases of UTF-8 include UTF8 " + StandardCharsets.UTF_8.aliases().contains("UTF8"));
        String jp = "\u65e5\u672c\u8a9e";
        System.out.println("Shift_JIS " + HexFormat.of().formatHex(jp.getBytes("Shift_JIS")) + " EUC-JP " + HexFormat.of().formatHex(jp.getBytes("EUC-JP"))
                + " GB18030 emoji " + HexFormat.of().formatHex("\uD83D\uDE80".getBytes("GB18030")));

        byte[] data = new byte[256];
        for (int i = 0; i < data.length; i++) data[i] = (byte) i;
        String b64 = Base64.getEncoder().encodeToString(data);
        System.out.println("base64 length " + b64.length() + " head " + b64.substring(0, 24) + " tail " + b64.substring(b64.length() - 8)
                + " round trip " + Arrays.equals(Base64.getDecoder().decode(b64), data));
        System.out.println("base64 url " + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {(byte) 0xfb, (byte) 0xff, 0x3f})
                + " mime lines " + Base64.getMimeEncoder().encodeToString(data).split("\r\n").length + " of 'Man' " + Base64.getEncoder().encodeToString("Man".getBytes(StandardCharsets.US_ASCII)));
        HexFormat hf = HexFormat.ofDelimiter(":").withUpperCase();
        System.out.println("HexFormat " + hf.formatHex(new byte[] {1, (byte) 0xab, 127}) + " parse " + Arrays.toString(HexFormat.of().parseHex("cafebabe"))
                + " toHexDigits " + HexFormat.of().toHexDigits((short) 0x1f2e));

        ByteBuffer bb = ByteBuffer.allocate(16);
        bb.putInt(0x01020304).putLong(-2L).putShort((short) 0x0a0b);
        System.out.println("big endian " + HexFormat.of().formatHex(bb.array()) + " native order " + ByteOrder.nativeOrder());
        bb.clear();
        bb.order(ByteOrder.LITTLE_ENDIAN).putInt(0x01020304).putDouble(1.5);
        System.out.println("little endian " + HexFormat.of().formatHex(bb.array(), 0, 12));
        bb.flip();
        System.out.println("read back " + Integer.toHexString(bb.getInt()) + " " + bb.getDouble() + " remaining " + bb.remaining());
        ByteBuffer direct = ByteBuffer.allocateDirect(1 << 20);
        for (int i = 0; i < direct.capacity() / 8; i++) direct.putLong(i * 0x9E3779B97F4A7C15L);
        direct.flip();
        long x = 0;
        while (direct.hasRemaining()) x ^= direct.getLong();
        System.out.println("direct buffer " + direct.isDirect() + " xor " + Long.toHexString(x));
        CharBuffer cb = StandardCharsets.UTF_8.decode(ByteBuffer.wrap("h\u00e9llo".getBytes(StandardCharsets.UTF_8)));
        System.out.println("CharBuffer length " + cb.length() + " code points " + cb.toString().codePoints().count()
                + " surrogates " + Character.isSurrogatePair('\uD83D', '\uDE80') + " name " + Character.getName(0x1F680));
    }
}

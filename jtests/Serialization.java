import java.io.*;
import java.util.*;

// Java object serialization round trips: object graphs with cycles and shared references,
// transient and custom writeObject/readObject fields, Externalizable, records, enums,
// readResolve, collections; plus the stream's size and a failing class check.
public class Serialization {
    static class Node implements Serializable {
        private static final long serialVersionUID = 1L;
        String name;
        List<Node> children = new ArrayList<>();
        Node parent;
        transient int cached = 99;
        Node(String name) { this.name = name; }
        Node add(Node c) { children.add(c); c.parent = this; return this; }
    }

    static class Account implements Serializable {
        private static final long serialVersionUID = 2L;
        final String owner;
        transient String password;
        private transient long balanceCents;
        Account(String owner, String password, long cents) { this.owner = owner; this.password = password; this.balanceCents = cents; }
        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            out.writeLong(balanceCents ^ 0x5555);
        }
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            balanceCents = in.readLong() ^ 0x5555;
        }
    }

    static class Point3 implements Externalizable {
        int x, y, z;
        public Point3() {}
        Point3(int x, int y, int z) { this.x = x; this.y = y; this.z = z; }
        public void writeExternal(ObjectOutput out) throws IOException { out.writeShort(x); out.writeShort(y); out.writeShort(z); }
        public void readExternal(ObjectInput in) throws IOException { x = in.readShort(); y = in.readShort(); z = in.readShort(); }
        public String toString() { return "(" + x + "," + y + "," + z + ")"; }
    }

    static final class Singleton implements Serializable {
        private static final long serialVersionUID = 3L;
        static final Singleton INSTANCE = new Singleton();
        private Singleton() {}
        private Object readResolve() { return INSTANCE; }
    }

    record Version(int major, int minor, String tag) implements Serializable {
        Version {
            if (major < 0) throw new IllegalArgumentException("negative major");
        }
    }

    enum Level { LOW, MEDIUM, HIGH }

    static class NotSerializable { int v = 1; }
    static class Holder implements Serializable {
        private static final long serialVersionUID = 4L;
        Object field = new NotSerializable();
    }

    public static void main(String[] args) throws Exception {
        Node root = new Node("root").add(new Node("a")).add(new Node("b"));
        root.children.get(0).add(new Node("a1"));
        Node shared = new Node("shared");
        root.children.get(0).children.add(shared);
        root.children.get(1).children.add(shared);
        Map<String, Object> bag = new LinkedHashMap<>();
        bag.put("tree", root);
        bag.put("account", new Account("ann", "secret", 123_456));
        bag.put("point", new Point3(1, -2, 300));
        bag.put("singleton", Singleton.INSTANCE);
        bag.put("version", new Version(17, 0, "lts"));
        bag.put("levels", EnumSet.of(Level.LOW, Level.HIGH));
        bag.put("treemap", new TreeMap<>(Map.of("z", 1, "a", 2)));
        bag.put("array", new int[][] {{1, 2}, {3}});
        bag.put("strings", List.of("x", "y"));
        bag.put("date", new Date(86_400_000L));
        bag.put("big", new java.math.BigDecimal("3.14159265358979323846"));

        byte[] bytes = serialize(bag);
        System.out.println("stream bytes " + bytes.length + " magic " + Integer.toHexString(((bytes[0] & 0xff) << 8) | (bytes[1] & 0xff)));
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) deserialize(bytes);
        System.out.println("keys " + back.keySet());
        Node r2 = (Node) back.get("tree");
        System.out.println("tree " + r2.name + " children " + r2.children.size() + " parent link " + (r2.children.get(0).parent == r2)
                + " transient cached " + r2.cached + " shared identity kept " + (r2.children.get(0).children.get(1) == r2.children.get(1).children.get(0)));
        Account acc = (Account) back.get("account");
        System.out.println("account " + acc.owner + " password " + acc.password + " balance " + acc.balanceCents);
        System.out.println("externalizable " + back.get("point") + " singleton resolved " + (back.get("singleton") == Singleton.INSTANCE)
                + " record " + back.get("version") + " equals " + back.get("version").equals(new Version(17, 0, "lts")));
        System.out.println("enumset " + back.get("levels") + " treemap " + back.get("treemap") + " array " + Arrays.deepToString((int[][]) back.get("array"))
                + " list " + back.get("strings") + " date " + ((Date) back.get("date")).getTime() + " big " + back.get("big"));
        Level l = (Level) deserialize(serialize(Level.MEDIUM));
        System.out.println("enum identity " + (l == Level.MEDIUM));
        try {
            serialize(new Holder());
        } catch (NotSerializableException e) {
            System.out.println("NotSerializableException " + e.getMessage());
        }
        byte[] rec = serialize(new Version(1, 2, "x"));
        int idx = indexOf(rec, new byte[] {0, 0, 0, 1});
        rec[idx + 3] = (byte) 0xff; rec[idx] = (byte) 0xff; rec[idx + 1] = (byte) 0xff; rec[idx + 2] = (byte) 0xff;
        try {
            deserialize(rec);
            System.out.println("tampered record accepted");
        } catch (InvalidObjectException e) {
            System.out.println("tampered record rejected by its canonical constructor: " + e.getCause().getMessage());
        }
        ObjectInputFilter onlyJavaBase = ObjectInputFilter.Config.createFilter("java.base/*;!*");
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(onlyJavaBase);
            in.readObject();
            System.out.println("filter let it through");
        } catch (InvalidClassException e) {
            System.out.println("filtered: InvalidClassException");
        }
        System.out.println("serialVersionUID of ArrayList " + ObjectStreamClass.lookup(ArrayList.class).getSerialVersionUID()
                + " fields of Account " + Arrays.stream(ObjectStreamClass.lookup(Account.class).getFields()).map(ObjectStreamField::getName).toList());
        List<Integer> many = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) many.add(i);
        @SuppressWarnings("unchecked")
        List<Integer> manyBack = (List<Integer>) deserialize(serialize(many));
        System.out.println("100000 boxed ints round trip " + manyBack.equals(many));
    }

    static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bos)) { out.writeObject(o); }
        return bos.toByteArray();
    }

    static Object deserialize(byte[] b) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) { return in.readObject(); }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = hay.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}

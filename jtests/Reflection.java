import java.lang.annotation.*;
import java.lang.invoke.*;
import java.lang.reflect.*;
import java.util.*;
import java.util.stream.*;

// Reflection: fields, methods, constructors, annotations, generic signatures, arrays, dynamic
// proxies, method handles and record components. Member lists are sorted (their order is
// unspecified).
public class Reflection {
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD, ElementType.PARAMETER})
    @interface Info {
        String value();
        int priority() default 5;
        String[] tags() default {};
    }

    @Retention(RetentionPolicy.RUNTIME)
    @interface Marker {}

    @Info(value = "sample class", tags = {"a", "b"})
    static class Sample extends Base implements Comparable<Sample> {
        @Info("id field") private int id;
        protected String name;
        public static final String CONST = "constant";
        public transient volatile long counter;
        private final List<Map<String, Integer>> nested = new ArrayList<>();

        public Sample() { this(0, "none"); }
        private Sample(int id, String name) { this.id = id; this.name = name; }

        @Info(value = "greets", priority = 9) @Marker
        public String greet(@Info("who") String who) { return "hello " + who + " from " + name + "#" + id; }
        private int secret(int a, int b) { return a * b + id; }
        public static int twice(int x) { return 2 * x; }
        public int compareTo(Sample o) { return Integer.compare(id, o.id); }
        @Override public String toString() { return "Sample(" + id + "," + name + ")"; }
        public <T extends Number> List<T> generic(Map<String, ? super T> in) { return null; }
    }

    static class Base {
        public String baseMethod() { return "base"; }
        public String overridden() { return "base version"; }
    }

    interface Greeter {
        String greet(String who);
        int add(int a, int b);
        default String polite(String who) { return "dear " + greet(who); }
    }

    enum Planet { MERCURY, VENUS, EARTH }

    record Point(int x, int y) {}

    public static void main(String[] args) throws Throwable {
        Class<?> c = Sample.class;
        System.out.println("class " + c.getName() + " simple " + c.getSimpleName() + " super " + c.getSuperclass().getSimpleName()
                + " interfaces " + Arrays.stream(c.getGenericInterfaces()).map(Type::getTypeName).toList()
                + " modifiers " + Modifier.toString(c.getModifiers()) + " enclosing " + c.getEnclosingClass().getSimpleName());
        System.out.println("declared fields " + Arrays.stream(c.getDeclaredFields())
                .map(f -> Modifier.toString(f.getModifiers()) + " " + f.getGenericType().getTypeName() + " " + f.getName())
                .sorted().collect(Collectors.joining("; ")));
        System.out.println("declared methods " + Arrays.stream(c.getDeclaredMethods()).filter(m -> !m.isSynthetic())
                .map(m -> m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName).toList())
                .sorted().toList());
        System.out.println("public methods incl. inherited: has baseMethod " + Arrays.stream(c.getMethods()).anyMatch(m -> m.getName().equals("baseMethod"))
                + " has wait " + Arrays.stream(c.getMethods()).anyMatch(m -> m.getName().equals("wait")));
        System.out.println("constructors " + Arrays.stream(c.getDeclaredConstructors())
                .map(k -> Modifier.toString(k.getModifiers()) + Arrays.stream(k.getParameterTypes()).map(Class::getSimpleName).toList())
                .sorted().toList());

        Constructor<?> priv = c.getDeclaredConstructor(int.class, String.class);
        priv.setAccessible(true);
        Object s = priv.newInstance(7, "seven");
        Field id = c.getDeclaredField("id");
        id.setAccessible(true);
        System.out.println("private field id " + id.getInt(s));
        id.setInt(s, 70);
        Field name = c.getDeclaredField("name");
        name.set(s, "renamed");
        System.out.println("after set " + s + " CONST " + c.getField("CONST").get(null));
        Method greet = c.getMethod("greet", String.class);
        System.out.println("invoke greet " + greet.invoke(s, "reflection"));
        Method secret = c.getDeclaredMethod("secret", int.class, int.class);
        secret.setAccessible(true);
        System.out.println("invoke private secret " + secret.invoke(s, 6, 7) + " static twice " + c.getMethod("twice", int.class).invoke(null, 21));
        try {
            c.getMethod("greet", String.class).invoke(s, 42);
        } catch (IllegalArgumentException e) {
            System.out.println("wrong argument type: IllegalArgumentException");
        }
        try {
            Method thrower = Reflection.class.getDeclaredMethod("thrower");
            thrower.invoke(null);
        } catch (InvocationTargetException e) {
            System.out.println("InvocationTargetException wraps " + e.getCause().getMessage());
        }
        try {
            Field f = c.getField("CONST");
            f.set(null, "changed");
        } catch (IllegalAccessException e) {
            System.out.println("static final field set: IllegalAccessException");
        }

        Info ci = c.getAnnotation(Info.class);
        System.out.println("class annotation value=" + ci.value() + " priority=" + ci.priority() + " tags=" + Arrays.toString(ci.tags()));
        Info mi = greet.getAnnotation(Info.class);
        System.out.println("method annotation value=" + mi.value() + " priority=" + mi.priority() + " marker "
                + greet.isAnnotationPresent(Marker.class) + " count " + greet.getAnnotations().length);
        System.out.println("parameter annotation " + ((Info) greet.getParameterAnnotations()[0][0]).value()
                + " field annotation " + id.getAnnotation(Info.class).value() + " on name " + name.getAnnotation(Info.class));
        Method generic = c.getMethod("generic", Map.class);
        System.out.println("generic signature " + generic.toGenericString());
        System.out.println("type parameters " + Arrays.toString(generic.getTypeParameters()) + " bounds "
                + Arrays.toString(generic.getTypeParameters()[0].getBounds()));

        Object arr = Array.newInstance(int.class, 5);
        for (int i = 0; i < 5; i++) Array.setInt(arr, i, i * i);
        System.out.println("reflective array " + Array.getLength(arr) + " " + Arrays.toString((int[]) arr) + " type "
                + arr.getClass().getName() + " component " + arr.getClass().getComponentType());
        System.out.println("2d array class " + int[][].class.getName() + " String[] " + String[].class.getName()
                + " primitive " + int.class.isPrimitive() + " " + Integer.TYPE);

        List<String> calls = new ArrayList<>();
        Greeter proxy = (Greeter) Proxy.newProxyInstance(Greeter.class.getClassLoader(), new Class<?>[] {Greeter.class},
                (p, m, a) -> {
                    calls.add(m.getName());
                    if (m.isDefault()) return InvocationHandler.invokeDefault(p, m, a);
                    switch (m.getName()) {
                        case "greet": return "proxied hi " + a[0];
                        case "add": return (Integer) a[0] + (Integer) a[1];
                        case "toString": return "GreeterProxy";
                        case "hashCode": return 1234;
                        case "equals": return p == a[0];
                        default: throw new UnsupportedOperationException(m.getName());
                    }
                });
        System.out.println("proxy " + proxy.greet("x") + " | " + proxy.add(2, 3) + " | " + proxy.polite("y") + " | " + proxy
                + " | " + proxy.hashCode() + " | isProxyClass " + Proxy.isProxyClass(proxy.getClass()));
        System.out.println("proxy calls " + calls);

        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MethodHandle twice = lookup.findStatic(Sample.class, "twice", MethodType.methodType(int.class, int.class));
        MethodHandle greetH = lookup.findVirtual(Sample.class, "greet", MethodType.methodType(String.class, String.class));
        MethodHandle concat = lookup.findVirtual(String.class, "concat", MethodType.methodType(String.class, String.class));
        System.out.println("method handles " + (int) twice.invokeExact(4) + " | " + (String) greetH.invoke(s, "mh") + " | "
                + (String) MethodHandles.insertArguments(concat, 1, "!").invoke("bound"));
        MethodHandle filtered = MethodHandles.filterReturnValue(twice, twice);
        System.out.println("composed handle " + (int) filtered.invokeExact(5));
        VarHandle vh = lookup.findVarHandle(Sample.class, "counter", long.class);
        vh.getAndAdd(s, 5L);
        System.out.println("varhandle cas " + vh.compareAndSet(s, 5L, 11L) + " value " + (long) vh.get(s));

        System.out.println("enum constants " + Arrays.toString(Planet.class.getEnumConstants()) + " valueOf "
                + Enum.valueOf(Planet.class, "EARTH").ordinal() + " isEnum " + Planet.class.isEnum());
        System.out.println("record components " + Arrays.stream(Point.class.getRecordComponents())
                .map(rc -> rc.getType() + " " + rc.getName()).toList() + " accessor "
                + Point.class.getRecordComponents()[1].getAccessor().invoke(new Point(3, 4)));
        Class<?> loaded = Class.forName("java.util.concurrent.ConcurrentHashMap");
        System.out.println("forName " + loaded.getSimpleName() + " module " + loaded.getModule().getName()
                + " assignable to Map " + Map.class.isAssignableFrom(loaded) + " isInstance " + Map.class.isInstance(new HashMap<>()));
        System.out.println("public constructor newInstance " + c.getConstructor().newInstance());
    }

    static void thrower() { throw new IllegalStateException("thrown inside"); }
}

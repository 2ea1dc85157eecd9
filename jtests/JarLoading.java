import java.io.*;
import java.lang.reflect.*;
import java.net.*;
import java.nio.file.*;
import java.util.*;
import java.util.function.Function;
import java.util.jar.*;

// Class loading from a jar built at build time (JarPlugin.java, packed by the jar tool).
//   JarLoading url JAR   load it through a URLClassLoader (the jar is not on the classpath)
//   JarLoading cp        JarPlugin is on the classpath (-cp classes:plugin.jar)
public class JarLoading {
    public static void main(String[] args) throws Exception {
        ClassLoader app = JarLoading.class.getClassLoader();
        if (args[0].equals("cp")) {
            Class<?> c = Class.forName("JarPlugin");
            System.out.println("classpath load: same loader as me " + (c.getClassLoader() == app));
            exercise(c);
            return;
        }
        Path jar = Paths.get(args[1]);
        try {
            Class.forName("JarPlugin");
            System.out.println("unexpected: JarPlugin is visible to the application loader");
        } catch (ClassNotFoundException e) {
            System.out.println("not on the classpath: ClassNotFoundException");
        }
        try (JarFile jf = new JarFile(jar.toFile())) {
            List<String> names = new ArrayList<>();
            for (Enumeration<JarEntry> en = jf.entries(); en.hasMoreElements();) names.add(en.nextElement().getName());
            Collections.sort(names);
            System.out.println("jar entries " + names);
            Manifest mf = jf.getManifest();
            System.out.println("manifest Main-Class " + mf.getMainAttributes().getValue("Main-Class") + " Implementation-Title "
                    + mf.getMainAttributes().getValue("Implementation-Title"));
        }
        URL url = jar.toUri().toURL();
        try (URLClassLoader loader = new URLClassLoader("plugins", new URL[] {url}, app)) {
            Class<?> c = loader.loadClass("JarPlugin");
            System.out.println("loaded by " + c.getClassLoader().getName() + " parent is app loader "
                    + (c.getClassLoader().getParent() == app) + " same class on reload " + (c == Class.forName("JarPlugin", true, loader)));
            exercise(c);
            try (InputStream in = loader.getResourceAsStream("jarplugin/message.txt")) {
                System.out.println("resource via loader [" + new String(in.readAllBytes(), "UTF-8").trim() + "]");
            }
            URL res = loader.getResource("jarplugin/message.txt");
            System.out.println("resource url protocol " + res.getProtocol() + " ends " + res.getPath().endsWith("plugin.jar!/jarplugin/message.txt"));
            // A second, independent loader defines a distinct class with its own statics.
            try (URLClassLoader other = new URLClassLoader(new URL[] {url}, app)) {
                Class<?> c2 = other.loadClass("JarPlugin");
                Field inst2 = c2.getField("instances");
                System.out.println("second loader: distinct class " + (c2 != c) + " statics independent "
                        + inst2.getInt(null) + " vs " + c.getField("instances").getInt(null));
            }
        }
        System.out.println("done");
    }

    @SuppressWarnings("unchecked")
    static void exercise(Class<?> c) throws Exception {
        Function<String, String> f = (Function<String, String>) c.getConstructor().newInstance();
        System.out.println("apply " + f.apply("hello"));
        Function<String, String> g = (Function<String, String>) c.getConstructor(String.class).newInstance("custom");
        System.out.println("apply2 " + g.apply("abc") + " instances " + c.getField("instances").getInt(null));
        System.out.println("static resource() [" + c.getMethod("resource").invoke(null) + "]");
        Class<?> helper = Class.forName("JarPlugin$Helper", true, c.getClassLoader());
        System.out.println("nested class " + helper.getName() + " twice(21) " + helper.getMethod("twice", int.class).invoke(null, 21));
        System.out.println("code source is plugin.jar " + c.getProtectionDomain().getCodeSource().getLocation().getPath().endsWith("plugin.jar"));
    }
}

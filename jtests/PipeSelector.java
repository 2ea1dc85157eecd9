import java.nio.ByteBuffer;
import java.nio.channels.*;
import java.nio.charset.StandardCharsets;
import java.util.Set;

// NIO readiness through a Selector on a Pipe (run with -Djava.nio.channels.spi.SelectorProvider=
// sun.nio.ch.PollSelectorProvider, the Selector is poll(2)): nothing ready at first, a write
// makes the source readable, a select with a timeout times out, a blocked select is ended by
// another thread's write and by wakeup(), a closed sink makes the source readable at end of
// stream. Only facts are printed.
public class PipeSelector {
    static String read(Pipe.SourceChannel source) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(64);
        int n = source.read(buf);
        if (n < 0) return "<eof>";
        return new String(buf.array(), 0, n, StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        Selector selector = Selector.open();
        System.out.println("provider " + selector.provider().getClass().getSimpleName());
        Pipe pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        SelectionKey key = pipe.source().register(selector, SelectionKey.OP_READ);

        System.out.println("selectNow on an empty pipe: " + selector.selectNow());
        System.out.println("select(50) on an empty pipe: " + selector.select(50));

        pipe.sink().write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)));
        int n = selector.select();
        Set<SelectionKey> keys = selector.selectedKeys();
        System.out.println("after a write: " + n + " ready, readable " + (keys.contains(key) && key.isReadable()));
        System.out.println("read: " + read(pipe.source()));
        keys.clear();

        Thread writer = new Thread(() -> {
            try {
                Thread.sleep(100);
                pipe.sink().write(ByteBuffer.wrap("later".getBytes(StandardCharsets.UTF_8)));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        n = selector.select();
        System.out.println("blocked select woken by another thread's write: " + n);
        writer.join();
        System.out.println("read: " + read(pipe.source()));
        selector.selectedKeys().clear();

        Thread waker = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
            selector.wakeup();
        });
        waker.start();
        n = selector.select();
        waker.join();
        System.out.println("blocked select ended by wakeup(): " + n);

        // A writable sink: OP_WRITE on a registered non-blocking sink.
        pipe.sink().configureBlocking(false);
        SelectionKey sinkKey = pipe.sink().register(selector, SelectionKey.OP_WRITE);
        n = selector.selectNow();
        System.out.println("sink writable: " + (selector.selectedKeys().contains(sinkKey) && sinkKey.isWritable()));
        sinkKey.cancel();
        selector.selectNow();
        selector.selectedKeys().clear();

        pipe.sink().close();
        n = selector.select(5000);
        System.out.println("sink closed: " + n + " ready, read " + read(pipe.source()));
        selector.close();
        pipe.source().close();
        System.out.println("done");
    }
}

import java.util.*;
import java.util.concurrent.*;
import java.util.stream.*;

// CompletableFuture chains: thenApply/thenCompose/thenCombine, exceptional paths, allOf/anyOf,
// timeouts, custom executors and the common pool.
public class Futures {
    public static void main(String[] args) throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(3);
        CompletableFuture<Integer> chain = CompletableFuture.supplyAsync(() -> 6, ex)
                .thenApply(x -> x * 7)
                .thenCompose(x -> CompletableFuture.supplyAsync(() -> x + 100, ex))
                .thenCombine(CompletableFuture.supplyAsync(() -> 1000), Integer::sum);
        System.out.println("chain " + chain.get());

        CompletableFuture<String> failed = CompletableFuture.supplyAsync(() -> {
            if (true) throw new IllegalArgumentException("bad input");
            return "never";
        }, ex);
        System.out.println("exceptionally " + failed.exceptionally(t -> "recovered from " + t.getCause().getMessage()).get());
        System.out.println("handle " + failed.handle((v, t) -> t == null ? v : "handled " + t.getClass().getSimpleName()).get());
        try {
            failed.join();
        } catch (CompletionException e) {
            System.out.println("join throws CompletionException caused by " + e.getCause().getClass().getName());
        }
        try {
            failed.get();
        } catch (ExecutionException e) {
            System.out.println("get throws ExecutionException caused by " + e.getCause().getMessage());
        }
        System.out.println("isCompletedExceptionally " + failed.isCompletedExceptionally());

        List<CompletableFuture<Integer>> parts = IntStream.range(0, 10)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> i * i, ex)).collect(Collectors.toList());
        CompletableFuture<Void> all = CompletableFuture.allOf(parts.toArray(new CompletableFuture[0]));
        int total = all.thenApply(v -> parts.stream().mapToInt(CompletableFuture::join).sum()).get();
        System.out.println("allOf sum " + total);
        Object any = CompletableFuture.anyOf(CompletableFuture.supplyAsync(() -> "same", ex),
                CompletableFuture.supplyAsync(() -> "same", ex)).get();
        System.out.println("anyOf " + any);

        StringBuffer log = new StringBuffer();
        CompletableFuture<Void> acc = CompletableFuture.completedFuture("x")
                .thenApply(s -> s + "y")
                .whenComplete((v, t) -> log.append("whenComplete(" + v + ") "))
                .thenAccept(v -> log.append("accept(" + v + ") "))
                .thenRun(() -> log.append("run"));
        acc.get();
        System.out.println("log " + log);

        CompletableFuture<String> never = new CompletableFuture<>();
        try {
            never.orTimeout(30, TimeUnit.MILLISECONDS).get();
        } catch (ExecutionException e) {
            System.out.println("orTimeout -> " + e.getCause().getClass().getSimpleName());
        }
        System.out.println("completeOnTimeout " + new CompletableFuture<String>()
                .completeOnTimeout("default", 20, TimeUnit.MILLISECONDS).get());
        CompletableFuture<String> manual = new CompletableFuture<>();
        CompletableFuture<Integer> dependent = manual.thenApplyAsync(String::length, ex);
        ex.execute(() -> manual.complete("completed elsewhere"));
        System.out.println("manual completion length " + dependent.get());
        CompletableFuture<String> cancelled = new CompletableFuture<>();
        cancelled.cancel(false);
        System.out.println("cancelled " + cancelled.isCancelled() + " exceptionally " + cancelled.isCompletedExceptionally());

        CompletableFuture<Integer> either = CompletableFuture.supplyAsync(() -> 5, ex)
                .applyToEither(new CompletableFuture<Integer>(), x -> x * 2);
        System.out.println("applyToEither " + either.get());
        CompletableFuture<String> both = CompletableFuture.supplyAsync(() -> "left", ex)
                .thenCombineAsync(CompletableFuture.supplyAsync(() -> "right", ex), (l, r) -> l + "+" + r, ex);
        System.out.println("thenCombineAsync " + both.get());

        // A pipeline of 1000 dependent stages.
        CompletableFuture<Long> stage = CompletableFuture.completedFuture(0L);
        for (int i = 1; i <= 1000; i++) {
            final long k = i;
            stage = (i % 3 == 0) ? stage.thenApplyAsync(x -> x + k, ex) : stage.thenApply(x -> x + k);
        }
        System.out.println("1000 stages " + stage.get());
        CompletableFuture<Integer> retried = attempt(0);
        System.out.println("recursive retry result " + retried.get());
        ex.shutdown();
        System.out.println("executor terminated " + ex.awaitTermination(30, TimeUnit.SECONDS));
    }

    static CompletableFuture<Integer> attempt(int n) {
        return CompletableFuture.supplyAsync(() -> {
            if (n < 3) throw new IllegalStateException("attempt " + n);
            return n;
        }).handle((v, t) -> t == null ? CompletableFuture.completedFuture(v) : attempt(n + 1))
          .thenCompose(f -> f);
    }
}

package org.jvmos.sample.util;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** A generic container with a bounded type parameter and a nested static class. */
public class Inventory<T extends Comparable<T>> {
    private final List<T> items = new ArrayList<>();

    public void add(T item) {
        items.add(item);
    }

    public List<T> sorted() {
        List<T> copy = new ArrayList<>(items);
        Collections.sort(copy);
        return copy;
    }

    public double total(ToDoubleFunction<? super T> value) {
        double sum = 0;
        for (T t : items) sum += value.applyAsDouble(t);
        return sum;
    }

    /** Counts additions; exists to put a nested class in the tree. */
    public static final class Counter {
        private int n;

        public int next() {
            return ++n;
        }
    }
}

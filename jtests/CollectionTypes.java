import java.util.*;

// The java.util collections: HashMap, TreeMap, ArrayList sorting, LinkedList, ArrayDeque,
// PriorityQueue, LinkedHashMap, TreeSet, EnumMap, BitSet. Iteration orders printed are the
// specified ones (or sorted); seeded Random only.
public class CollectionTypes {
    record Person(String name, int age, String city) {}
    enum Color { RED, GREEN, BLUE }

    public static void main(String[] args) {
        String text = "it was the best of times it was the worst of times it was the age of wisdom "
                + "it was the age of foolishness";
        Map<String, Integer> counts = new HashMap<>();
        for (String w : text.split(" ")) counts.merge(w, 1, Integer::sum);
        System.out.println("hashmap size " + counts.size() + " sorted " + new TreeMap<>(counts));
        counts.computeIfAbsent("new", k -> 0);
        counts.computeIfPresent("it", (k, v) -> v * 100);
        counts.remove("worst");
        System.out.println("it=" + counts.get("it") + " new=" + counts.get("new") + " worst="
                + counts.getOrDefault("worst", -1) + " containsValue(4) " + counts.containsValue(4));
        Map<Integer, Integer> squares = new HashMap<>();
        for (int i = 0; i < 200_000; i++) squares.put(i, i * i);
        long sq = 0;
        for (int i = 0; i < 200_000; i += 7) sq += squares.get(i);
        System.out.println("big hashmap " + squares.size() + " sum " + sq);

        TreeMap<Integer, String> tm = new TreeMap<>();
        for (int i = 0; i < 50; i += 5) tm.put(i, "v" + i);
        System.out.println("treemap first " + tm.firstKey() + " last " + tm.lastKey() + " floor(23) "
                + tm.floorKey(23) + " ceiling(23) " + tm.ceilingKey(23) + " higher(45) " + tm.higherKey(45));
        System.out.println("head(15) " + tm.headMap(15) + " tail(40) " + tm.tailMap(40, true)
                + " sub " + tm.subMap(10, 25).keySet() + " desc " + tm.descendingMap().keySet());
        System.out.println("pollFirst " + tm.pollFirstEntry() + " pollLast " + tm.pollLastEntry() + " size "
                + tm.size());

        List<Person> people = new ArrayList<>(List.of(
                new Person("Ann", 31, "Oslo"), new Person("Bob", 25, "Rome"), new Person("Cid", 31, "Lima"),
                new Person("Dee", 19, "Oslo"), new Person("Eve", 25, "Lima"), new Person("Fay", 40, "Rome")));
        people.sort(Comparator.comparingInt(Person::age).thenComparing(Person::name, Comparator.reverseOrder()));
        System.out.println("by age, name desc " + names(people));
        people.sort(Comparator.comparing(Person::city).thenComparing(Person::age).reversed());
        System.out.println("by city, age reversed " + names(people));
        Collections.sort(people, Comparator.comparing(Person::name));
        System.out.println("binarySearch Eve " + Collections.binarySearch(people, new Person("Eve", 0, ""),
                Comparator.comparing(Person::name)));
        List<Integer> nums = new ArrayList<>();
        for (int i = 0; i < 20; i++) nums.add(i);
        Collections.shuffle(nums, new Random(42));
        System.out.println("shuffled(42) " + nums);
        Collections.sort(nums);
        Collections.rotate(nums, 3);
        System.out.println("rotated " + nums.subList(0, 6) + " max " + Collections.max(nums) + " freq "
                + Collections.frequency(nums, 5));
        Random r = new Random(7);
        int[] arr = new int[1_000_000];
        for (int i = 0; i < arr.length; i++) arr[i] = r.nextInt();
        Arrays.sort(arr);
        boolean sorted = true;
        for (int i = 1; i < arr.length; i++) sorted &= arr[i - 1] <= arr[i];
        System.out.println("sorted 1M ints " + sorted + " min " + arr[0] + " median " + arr[arr.length / 2]
                + " hash " + Arrays.hashCode(arr));
        Integer[] boxed = new Integer[200_000];
        for (int i = 0; i < boxed.length; i++) boxed[i] = r.nextInt(1000);
        Arrays.sort(boxed, Comparator.reverseOrder());
        System.out.println("sorted boxed desc " + boxed[0] + " " + boxed[boxed.length - 1] + " hash "
                + Arrays.hashCode(boxed));

        LinkedList<String> ll = new LinkedList<>(List.of("b", "c", "d"));
        ll.addFirst("a");
        ll.addLast("e");
        ll.add(2, "x");
        ll.removeFirstOccurrence("c");
        ListIterator<String> it = ll.listIterator();
        while (it.hasNext()) if (it.next().equals("d")) it.set("D");
        System.out.println("linkedlist " + ll + " peekLast " + ll.peekLast() + " pop " + ll.pop() + " -> " + ll);

        ArrayDeque<Integer> dq = new ArrayDeque<>();
        for (int i = 0; i < 10; i++) {
            if (i % 2 == 0) dq.push(i); else dq.offerLast(i);
        }
        System.out.println("deque " + dq + " pollFirst " + dq.pollFirst() + " pollLast " + dq.pollLast());
        StringBuilder drained = new StringBuilder();
        while (!dq.isEmpty()) drained.append(dq.pop());
        System.out.println("drained " + drained);

        PriorityQueue<Integer> pq = new PriorityQueue<>();
        for (int x : new int[] {42, 7, 19, 3, 88, 7, 1, 56}) pq.add(x);
        StringBuilder order = new StringBuilder();
        while (!pq.isEmpty()) order.append(pq.poll()).append(' ');
        System.out.println("pq min order " + order.toString().trim());
        PriorityQueue<Person> byAge = new PriorityQueue<>(Comparator.comparingInt(Person::age).reversed()
                .thenComparing(Person::name));
        byAge.addAll(people);
        StringBuilder po = new StringBuilder();
        while (!byAge.isEmpty()) po.append(byAge.poll().name()).append(' ');
        System.out.println("pq oldest first " + po.toString().trim());

        LinkedHashMap<String, Integer> lru = new LinkedHashMap<>(16, 0.75f, true) {
            protected boolean removeEldestEntry(Map.Entry<String, Integer> e) { return size() > 3; }
        };
        lru.put("a", 1); lru.put("b", 2); lru.put("c", 3); lru.get("a"); lru.put("d", 4);
        System.out.println("lru " + lru.keySet());

        TreeSet<String> ts = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        Collections.addAll(ts, "pear", "Apple", "banana", "apple", "Cherry");
        System.out.println("treeset " + ts + " ceiling(b) " + ts.ceiling("b") + " headSet(c) " + ts.headSet("c"));
        EnumMap<Color, Integer> em = new EnumMap<>(Color.class);
        em.put(Color.BLUE, 3); em.put(Color.RED, 1);
        System.out.println("enummap " + em + " enumset " + EnumSet.complementOf(EnumSet.of(Color.GREEN)));
        BitSet bits = new BitSet();
        for (int i = 2; i < 100; i++) bits.set(i);
        for (int i = 2; i < 10; i++) for (int j = i * i; j < 100; j += i) bits.clear(j);
        System.out.println("primes<100 " + bits.cardinality() + " " + bits);

        try {
            List.of(1, 2).add(3);
        } catch (UnsupportedOperationException e) {
            System.out.println("immutable list: UnsupportedOperationException");
        }
        try {
            for (Integer n : nums) if (n == 5) nums.remove(n);
        } catch (ConcurrentModificationException e) {
            System.out.println("ConcurrentModificationException");
        }
        Map<String, List<Integer>> multi = new TreeMap<>();
        for (int i = 0; i < 12; i++) multi.computeIfAbsent(i % 3 == 0 ? "fizz" : "other", k -> new ArrayList<>()).add(i);
        System.out.println("multimap " + multi);
        System.out.println("list equals " + List.of(1, 2, 3).equals(Arrays.asList(1, 2, 3)) + " hash "
                + List.of("a", "b").hashCode() + " set hash " + Set.of(1, 2, 3).hashCode());
    }

    static String names(List<Person> ps) {
        StringJoiner j = new StringJoiner(",", "[", "]");
        for (Person p : ps) j.add(p.name());
        return j.toString();
    }
}

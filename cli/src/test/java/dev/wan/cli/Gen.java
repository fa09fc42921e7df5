package dev.wan.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A generator of test values drawn from a seeded {@link Random}, so that a run is replayed by its seed.
 * Numbers come out at one of their bounds one time in ten (an edge case) and uniformly otherwise.
 */
@FunctionalInterface
interface Gen<T> {
    T next(Random r);

    /** One of the values, each as likely. */
    @SafeVarargs
    static <T> Gen<T> of(T... values) {
        List<T> copy = new java.util.ArrayList<>(values.length);
        for (T v : values) {
            copy.add(v);
        }
        return r -> copy.get(r.nextInt(copy.size()));
    }

    /** A value of one of the generators, each as likely. */
    @SafeVarargs
    static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
        List<Gen<? extends T>> copy = new java.util.ArrayList<>(gens.length);
        for (Gen<? extends T> g : gens) {
            copy.add(g);
        }
        return r -> copy.get(r.nextInt(copy.size())).next(r);
    }

    static Gen<Integer> ints(int min, int max) {
        return longs(min, max).map(Long::intValue);
    }

    /** A long in [min, max]; {@link #ints} and {@link #chars} likewise. */
    static Gen<Long> longs(long min, long max) {
        return r -> switch (r.nextInt(20)) {
            case 0 -> min;
            case 1 -> max;
            default -> max < Long.MAX_VALUE ? r.nextLong(min, max + 1)
                    : min > Long.MIN_VALUE ? r.nextLong(min - 1, max) + 1 : r.nextLong();
        };
    }

    static Gen<Character> chars(char min, char max) {
        return ints(min, max).map(i -> (char) i.intValue());
    }

    /** A string of minLen to maxLen characters, each one of {@code chars} (or each from a generator, below). */
    static Gen<String> strings(String chars, int minLen, int maxLen) {
        return strings(r -> chars.charAt(r.nextInt(chars.length())), minLen, maxLen);
    }

    static Gen<String> strings(Gen<Character> chars, int minLen, int maxLen) {
        Gen<Integer> length = ints(minLen, maxLen);
        return r -> {
            int n = length.next(r);
            StringBuilder b = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                b.append(chars.next(r).charValue());
            }
            return b.toString();
        };
    }

    /** A list of minSize to maxSize values of this generator. */
    default Gen<List<T>> list(int minSize, int maxSize) {
        Gen<Integer> size = ints(minSize, maxSize);
        return r -> {
            int n = size.next(r);
            List<T> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(next(r));
            }
            return out;
        };
    }

    default <R> Gen<R> map(Function<? super T, ? extends R> f) {
        return r -> f.apply(next(r));
    }

    /** Only values that pass {@code keep}; gives up after 10,000 rejections in a row. */
    default Gen<T> filter(Predicate<? super T> keep) {
        return r -> {
            for (int i = 0; i < 10_000; i++) {
                T t = next(r);
                if (keep.test(t)) {
                    return t;
                }
            }
            throw new IllegalStateException("filter rejected 10,000 values in a row");
        };
    }

    static <A, B, R> Gen<R> combine(Gen<A> a, Gen<B> b, BiFunction<? super A, ? super B, ? extends R> f) {
        return r -> f.apply(a.next(r), b.next(r));
    }

    interface F3<A, B, C, R> { R apply(A a, B b, C c); }

    interface F4<A, B, C, D, R> { R apply(A a, B b, C c, D d); }

    static <A, B, C, R> Gen<R> combine(Gen<A> a, Gen<B> b, Gen<C> c, F3<? super A, ? super B, ? super C, ? extends R> f) {
        return r -> f.apply(a.next(r), b.next(r), c.next(r));
    }

    static <A, B, C, D, R> Gen<R> combine(Gen<A> a, Gen<B> b, Gen<C> c, Gen<D> d,
            F4<? super A, ? super B, ? super C, ? super D, ? extends R> f) {
        return r -> f.apply(a.next(r), b.next(r), c.next(r), d.next(r));
    }
}

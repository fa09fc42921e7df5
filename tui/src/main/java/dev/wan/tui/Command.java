package dev.wan.tui;

/**
 * Work the operator asked for, to be run off the GUI thread by {@link Operator}.
 *
 * @param model   the model it is about, or null (GC, refresh, quit)
 * @param variant the variant to ensure, or null for the model's default
 * @param limit   the GC size limit as typed (e.g. {@code 10GB}), empty for leftovers only
 */
record Command(Kind kind, String model, String variant, String limit) {
    enum Kind { ENSURE, VERIFY, PIN, UNPIN, TEST_SOURCES, GC_PLAN, GC_COLLECT, REFRESH, QUIT }

    static Command of(Kind kind, String model) {
        return new Command(kind, model, null, null);
    }
}

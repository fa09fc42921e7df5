package dev.wan.migrate;

import java.util.List;

/**
 * What to migrate and how.
 *
 * @param only    model ids (or bare names) to consider; empty: every model of the manifest
 * @param variant one variant for every model; null: each model's default variant plus every
 *                variant the legacy tree has a variant-specific file of
 * @param copy    copy the bytes instead of hardlinking (the legacy files then keep their mode:
 *                a hardlink shares the inode, so the store's read-only mode reaches the legacy path)
 */
public record MigrateOptions(List<String> only, String variant, boolean copy) {
    public MigrateOptions {
        only = only == null ? List.of() : List.copyOf(only);
    }

    /** Every model, default variants, hardlinks. */
    public static MigrateOptions defaults() {
        return new MigrateOptions(List.of(), null, false);
    }
}

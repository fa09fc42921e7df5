/**
 * Migration of legacy model directories into the store: {@link dev.wan.migrate.Migrator} analyzes a
 * tree (flat copy, Hugging Face cache, ComfyUI {@code models/}), plans (hardlink or copy, bytes,
 * which models become COMPLETE) and executes through the ensure path, journaled and resumable.
 * The records here are what scripts read; {@code dev.wan.internal.migrate} is not for scripts.
 */
package dev.wan.migrate;

package dev.wan.migrate;

import java.nio.file.Path;

/**
 * A regular file found in the legacy tree (directly, or through a link that stays inside it).
 *
 * @param path        where it was found, relative to the legacy root ({@code /}-separated)
 * @param logicalPath the path matched against manifest paths: below the snapshot for a Hugging
 *                    Face cache, else {@code path}
 * @param layout      the layout it belongs to
 * @param size        bytes
 * @param file        the file read (the link's target for a link: a Hub cache blob)
 */
public record LegacyFile(String path, String logicalPath, LegacyLayout layout, long size, Path file) {
}

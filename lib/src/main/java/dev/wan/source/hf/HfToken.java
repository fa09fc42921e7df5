package dev.wan.source.hf;

import dev.wan.internal.http.Redact;
import dev.wan.source.SourceContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Hub token in use and where it came from, in the order the Hub's own client looks:
 * {@code HF_TOKEN}, then {@code HUGGING_FACE_HUB_TOKEN}, then the token file —
 * {@code HF_TOKEN_PATH}, else {@code $HF_HOME/token}, where HF_HOME defaults to
 * {@code $XDG_CACHE_HOME/huggingface}, else {@code $HOME/.cache/huggingface} (what
 * {@code huggingface-cli login} writes). Only {@link #masked()} may be shown.
 */
record HfToken(String value, String origin) {
    private static final Logger LOG = LoggerFactory.getLogger(HfToken.class);

    static HfToken find(SourceContext context) {
        for (String name : new String[] {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
            String v = context.env(name);
            if (v != null) {
                return new HfToken(v.strip(), name);
            }
        }
        Path file = tokenFile(context);
        if (file != null) {
            try {
                String v = Files.readString(file).strip();
                if (!v.isEmpty()) {
                    return new HfToken(v, "token file " + file);
                }
            } catch (IOException | SecurityException e) {
                LOG.debug("no readable Hugging Face token file {}: anonymous", file, e);
            }
        }
        return null;
    }

    private static Path tokenFile(SourceContext context) {
        String explicit = context.env("HF_TOKEN_PATH");
        if (explicit != null) {
            return Path.of(explicit);
        }
        String home = context.env("HF_HOME");
        if (home != null) {
            return Path.of(home, "token");
        }
        String cache = context.env("XDG_CACHE_HOME");
        if (cache != null) {
            return Path.of(cache, "huggingface", "token");
        }
        String userHome = context.env("HOME");
        return userHome == null ? null : Path.of(userHome, ".cache", "huggingface", "token");
    }

    /** e.g. {@code HF_TOKEN hf_****abcd}. */
    String masked() {
        return origin + " " + Redact.mask(value);
    }

    @Override
    public String toString() {
        return masked();
    }
}

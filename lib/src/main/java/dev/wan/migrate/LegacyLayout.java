package dev.wan.migrate;

/** The shapes of legacy model directories a migration recognises. */
public enum LegacyLayout {
    /** A plain copy whose paths end with the manifest's file paths ({@code /data/models/t2v-A14B/…}). */
    FLAT("flat"),
    /** A Hugging Face cache: {@code models--org--repo/snapshots/<commit>/…}, files linked into {@code blobs/}. */
    HF_CACHE("hf-cache"),
    /** Single-file checkpoints in a ComfyUI tree: {@code models/{diffusion_models,vae,text_encoders,…}/}. */
    COMFYUI("comfyui");

    private final String label;

    LegacyLayout(String label) {
        this.label = label;
    }

    /** How reports spell it: {@code flat}, {@code hf-cache}, {@code comfyui}. */
    public String label() {
        return label;
    }
}

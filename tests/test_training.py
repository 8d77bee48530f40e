"""LoRA training on the tiny Gemma 3: SQL-only loss, resumable checkpoints, a loadable adapter."""

import json
from pathlib import Path

import pytest

from t2sql.fileio import read_jsonl
from t2sql.generation.transformers_backend import TransformersGenerator
from t2sql.prompt import build_prompt
from t2sql.tuning import training
from t2sql.tuning.training import TrainConfig, encode, sql_token_loss

RECORDS = [
    {
        "db_id": "hr",
        "context": "CREATE TABLE staff (staff_id INTEGER PRIMARY KEY, dept VARCHAR); -- 직원",
        "question": f"부서가 '{d}'인 직원 수는?",
        "answer": f"SELECT COUNT(*) FROM staff WHERE dept = '{d}'",
    }
    for d in ("영업", "개발", "인사", "재무", "총무", "마케팅")
]


def write_split(folder: Path, split: str, rows: list[dict]) -> None:
    (folder / f"{split}.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for split, rows in (("train", RECORDS), ("validation", RECORDS[:2])):
        write_split(folder, split, rows)
    return folder


def test_encode_masks_the_prompt(tiny_model_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    ids, start = encode(tok, RECORDS[0])
    assert tok.decode(ids[:start], skip_special_tokens=True) == build_prompt(
        RECORDS[0]["context"], RECORDS[0]["question"]
    )
    assert tok.decode(ids[start:], skip_special_tokens=True) == RECORDS[0]["answer"] + ";"
    assert ids[-1] == tok.eos_token_id


def test_encode_uses_the_records_prompt_sections(tiny_model_dir):
    from transformers import AutoTokenizer

    from t2sql.prompt import prompt_from_record

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    record = {
        **RECORDS[1],
        "examples": [{"question": RECORDS[0]["question"], "sql": RECORDS[0]["answer"]}],
        "failed": {"sql": "SELECT COUNT(*) FROM staffs", "error": "no such table: staffs"},
    }
    ids, start = encode(tok, record)
    assert tok.decode(ids[:start], skip_special_tokens=True) == prompt_from_record(record)
    assert (
        "### 예시:" in prompt_from_record(record)
        and tok.decode(ids[start:], skip_special_tokens=True) == record["answer"] + ";"
    )


def test_sql_only_loss_equals_masked_full_loss(tiny_model_dir):
    """Computing the output layer only at SQL positions gives the same loss as full logits."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    ids, start = encode(tok, RECORDS[1])
    labels = torch.tensor([ids])
    labels[0, :start] = -100
    with torch.no_grad():
        full = model(input_ids=torch.tensor([ids]), labels=labels).loss
        mine = sql_token_loss(model, [(ids, start)], tok.pad_token_id)
    assert torch.allclose(full, mine, atol=1e-5)


def interrupt_after_first_batch(config, monkeypatch) -> None:
    """Run ``train`` and stop it by Ctrl-C during its second batch (after the first one's checkpoint)."""
    real_loss, calls = training.sql_token_loss, []

    def flaky_loss(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_loss(*args, **kwargs)

    monkeypatch.setattr(training, "sql_token_loss", flaky_loss)
    with pytest.raises(KeyboardInterrupt):
        training.train(config, progress=None)
    monkeypatch.setattr(training, "sql_token_loss", real_loss)


def test_two_step_training_writes_a_loadable_adapter_and_resumes(tiny_model_dir, data_dir, tmp_path, monkeypatch):
    out = tmp_path / "adapter"
    config = TrainConfig(
        data=str(data_dir),
        out=str(out),
        base_model=str(tiny_model_dir),
        batch_size=3,
        save_steps=1,
        max_len=512,
        val_limit=2,
        method="lora",
        lora_r=16,
        epochs=1,
    )
    interrupt_after_first_batch(config, monkeypatch)  # a checkpoint must be left behind
    assert (out / "checkpoint" / "state.pt").is_file()

    messages = []
    card = training.train(config, progress=messages.append)
    assert any("이어서" in m for m in messages)
    assert card["train_examples"] == 6 and card["optimizer_steps"] == 2 and len(card["losses"]) == 2
    assert card["validation_loss"] is not None and card["data_sha256"]
    assert (out / "adapter_model.safetensors").is_file() and not (out / "checkpoint").exists()
    assert json.loads((out / "training_card.json").read_text())["hyperparameters"]["lora_r"] == 16
    assert json.loads((out / "adapter_config.json").read_text())["base_model_name_or_path"] == str(tiny_model_dir)
    assert "Training card" in (out / "TRAINING_CARD.md").read_text()
    gen = TransformersGenerator(str(tiny_model_dir), adapter=str(out), max_new_tokens=4)
    assert isinstance(gen.complete(build_prompt(RECORDS[0]["context"], RECORDS[0]["question"])), str)


def test_no_usable_example_is_a_korean_error(tiny_model_dir, data_dir, tmp_path):
    from t2sql.errors import T2SQLError

    with pytest.raises(T2SQLError, match="학습할 예제가 없습니다"):
        training.train(
            TrainConfig(
                data=str(data_dir), out=str(tmp_path / "a"), base_model=str(tiny_model_dir), max_len=20, val_limit=0
            ),
            progress=None,
        )


def test_max_steps_stops_early_with_the_full_schedule(tiny_model_dir, data_dir, tmp_path):
    card = training.train(
        TrainConfig(
            data=str(data_dir),
            out=str(tmp_path / "a"),
            base_model=str(tiny_model_dir),
            batch_size=2,
            max_steps=1,
            val_limit=0,
            epochs=1,
        ),
        progress=None,
    )
    assert card["optimizer_steps"] == 3 and card["optimizer_steps_done"] == 1 and len(card["losses"]) == 1


def test_default_training_leaves_out_the_new_prompt_sections():
    """`train` reproduces the shipped adapter (plain pairs); `--sections` keeps everything."""
    records = [
        {"question": "a", "answer": "SELECT 1", "examples": [{"question": "x", "sql": "SELECT 2"}]},
        {"question": "b", "answer": "SELECT 1", "previous": {"question": "y", "sql": "SELECT 3"}},
        {"question": "c", "answer": "SELECT 1", "failed": {"sql": "SELECT z", "error": "no such column: z"}},
        {"question": "d", "answer": "SELECT 1"},
    ]
    assert training.plain_records(records) == [
        {"question": "a", "answer": "SELECT 1"},
        {"question": "d", "answer": "SELECT 1"},
    ]
    assert TrainConfig().sections is True  # the shared model's long run trains on every section


def test_training_continues_from_a_saved_adapter(tiny_model_dir, data_dir, tmp_path):
    """`--init-adapter` starts from the saved weights: with a zero learning rate they come out unchanged."""
    from safetensors.torch import load_file

    first, second = tmp_path / "first", tmp_path / "second"
    training.train(
        TrainConfig(
            data=str(data_dir),
            out=str(first),
            base_model=str(tiny_model_dir),
            batch_size=3,
            max_steps=1,
            val_limit=0,
            learning_rate=1e-2,
            method="lora",
            lora_r=16,
        ),
        progress=None,
    )
    card = training.train(
        TrainConfig(
            data=str(data_dir),
            out=str(second),
            base_model=str(tiny_model_dir),
            batch_size=3,
            max_steps=1,
            val_limit=0,
            learning_rate=0.0,
            init_adapter=str(first),
            method="lora",
        ),
        progress=None,
    )
    before, after = load_file(first / "adapter_model.safetensors"), load_file(second / "adapter_model.safetensors")
    assert before.keys() == after.keys()
    lora_b = [k for k in before if "lora_B" in k]
    assert lora_b and any(before[k].abs().sum() > 0 for k in lora_b)  # trained, not the zero init
    assert all((before[k] == after[k]).all() for k in before)
    assert card["hyperparameters"]["init_adapter"] == str(first)
    assert card["lora"]["r"] == 16 and "q_proj" in card["lora"]["target_modules"]
    assert "| lora |" in (second / "TRAINING_CARD.md").read_text()


def test_continuing_from_a_missing_adapter_is_a_korean_error(tiny_model_dir, data_dir, tmp_path):
    from t2sql.errors import T2SQLError

    with pytest.raises(T2SQLError, match="이어서 학습할 어댑터가 없습니다"):
        training.train(
            TrainConfig(
                data=str(data_dir),
                out=str(tmp_path / "a"),
                base_model=str(tiny_model_dir),
                max_steps=1,
                val_limit=0,
                init_adapter=str(tmp_path / "nowhere"),
            ),
            progress=None,
        )


def test_a_time_budget_stops_with_a_resumable_checkpoint(tiny_model_dir, data_dir, tmp_path):
    """``max_minutes`` stops mid-plan, keeps the checkpoint and says so in the card; the next run finishes."""
    from t2sql.tuning.training import TrainConfig, train

    out = tmp_path / "budget"
    config = TrainConfig(
        data=str(data_dir),
        out=str(out),
        base_model=str(tiny_model_dir),
        limit=24,
        batch_size=4,
        max_steps=0,
        val_limit=0,
        max_minutes=1e-9,
        save_steps=1000,
    )
    card = train(config, progress=None)
    assert card["finished"] is False and (out / "checkpoint" / "state.pt").is_file()
    card = train(TrainConfig(**{**config.__dict__, "max_minutes": 0.0}), progress=None)
    assert card["finished"] is True and not (out / "checkpoint").exists()
    assert card["optimizer_steps_done"] == card["optimizer_steps"]


def test_extracted_lora_reproduces_the_change_it_was_extracted_from(tiny_model_dir):
    """At full rank the SVD LoRA gives the fine-tuned model's logits; at rank 1 it does not."""
    import torch

    from t2sql.generation.loading import load_causal_lm

    model, _ = load_causal_lm(str(tiny_model_dir), load_in_4bit="no", trainable=True)
    targets = ["q_proj", "down_proj"]
    start = {n: p.detach().clone() for n, p in model.named_parameters() if training._is_target(n, targets)}
    assert start and not any("embed" in n or "norm" in n for n in start)
    ids = torch.tensor([[2, 10, 20, 30, 40]])
    with torch.no_grad():
        tuned = _perturbed(model, start)(input_ids=ids).logits
    rank = max(min(w.shape) for w in start.values())
    lora = training.extract_lora(model, start, rank, ["q_proj", "down_proj"])
    with torch.no_grad():
        assert torch.allclose(lora(input_ids=ids).logits, tuned, atol=1e-3)
        model2, _ = load_causal_lm(str(tiny_model_dir), load_in_4bit="no", trainable=True)
        low = training.extract_lora(_perturbed(model2, start), start, 1, ["q_proj", "down_proj"])
        assert not torch.allclose(low(input_ids=ids).logits, tuned, atol=1e-3)


def _perturbed(model, start):
    import torch

    torch.manual_seed(0)
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n in start:
                p.add_(torch.randn_like(p) * 0.05)
    return model


def test_full_fine_tuning_resumes_and_ships_a_lora(tiny_model_dir, data_dir, tmp_path):
    """``method="full"`` trains the projection weights, checkpoints only them, resumes, and saves a
    LoRA of rank ``lora_r`` (loadable like any adapter) plus, on request, the full model."""
    from safetensors.torch import load_file

    from t2sql.generation.loading import load_causal_lm

    out, full = tmp_path / "full", tmp_path / "full_model"
    config = TrainConfig(
        data=str(data_dir),
        out=str(out),
        base_model=str(tiny_model_dir),
        limit=24,
        batch_size=4,
        max_steps=0,
        val_limit=4,
        method="full",
        lora_r=4,
        learning_rate=1e-3,
        full_model_dir=str(full),
        max_minutes=1e-9,
    )
    card = training.train(config, progress=None)
    assert card["finished"] is False
    saved = load_file(out / "checkpoint" / "weights.safetensors")
    assert saved and all(any(f".{t}." in k for t in training.LORA_TARGETS) for k in saved)
    card = training.train(TrainConfig(**{**config.__dict__, "max_minutes": 0.0}), progress=None)
    assert card["finished"] and card["method"] == "full" and card["lora"]["r"] == 4
    assert card["validation_loss"] is not None and card["validation_loss_full_model"] is not None
    weights = load_file(out / "adapter_model.safetensors")
    assert any("lora_B" in k and v.abs().sum() > 0 for k, v in weights.items())
    assert (full / "config.json").is_file()
    model, _ = load_causal_lm(str(tiny_model_dir), adapter=str(out), load_in_4bit="no")
    assert model is not None
    assert "| method | full |" in (out / "TRAINING_CARD.md").read_text()


def test_an_unknown_training_method_is_a_korean_error(tiny_model_dir, data_dir, tmp_path):
    from t2sql.errors import T2SQLError

    with pytest.raises(T2SQLError, match="lora 또는 full"):
        training.train(
            TrainConfig(data=str(data_dir), out=str(tmp_path / "a"), base_model=str(tiny_model_dir), method="qlora"),
            progress=None,
        )


def test_a_checkpoint_resumes_only_on_the_data_it_was_made_from(tiny_model_dir, data_dir, tmp_path, monkeypatch):
    """Another data set would silently give another batch order: resuming on it is refused in Korean."""
    from t2sql.errors import T2SQLError

    config = TrainConfig(
        data=str(data_dir),
        out=str(tmp_path / "a"),
        base_model=str(tiny_model_dir),
        batch_size=3,
        save_steps=1,
        max_len=512,
        val_limit=0,
        method="lora",
        epochs=1,
    )
    interrupt_after_first_batch(config, monkeypatch)
    rows = read_jsonl(data_dir / "train.jsonl")
    rows[0]["question"] += " (수정됨)"
    write_split(data_dir, "train", rows)
    with pytest.raises(T2SQLError, match="체크포인트.*학습 데이터가 다릅니다"):
        training.train(config, progress=None)

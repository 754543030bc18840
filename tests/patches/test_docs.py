"""The architecture document and `orion explain` list every patch: what it changes, where, how, and the paths it sets."""

from __future__ import annotations

from orion_dsl import provenance
from orion_dsl.backends.docs import render
from orion_dsl.source import SourceFile

from .helpers import plan_of


def _document(patches: str) -> str:
    return render(plan_of(patches)).stream


def test_the_document_lists_each_patch_with_its_target_file_kind_and_paths() -> None:
    doc = _document(
        'patch Deployment payments { merge { spec { template { spec { containers payments { workingDir "/srv" } } } } } }\n'
        'patch Service payments { json { replace "/spec/type" "NodePort" } }\n'
    )
    section = doc.split("\n## Patches\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| Order")]
    assert rows == [
        "| 1 | `Deployment shop/payments` | `kubernetes/shop/deployment-payments.yaml` | strategic merge | "
        "`spec.template.spec.containers[name=payments].workingDir` | — |",
        "| 2 | `Service shop/payments` | `kubernetes/shop/service-payments.yaml` | JSON patch | `replace /spec/type` | "
        "the Service type (who reaches it from outside) |",
    ]


def test_the_document_has_no_patches_section_without_patches() -> None:
    assert "## Patches" not in _document("")


def test_orion_explain_names_the_patches_of_an_object() -> None:
    plan = plan_of('patch Service payments { json { replace "/spec/type" "NodePort" } }')
    entry = provenance.find(plan, "kubernetes/shop/service-payments.yaml")
    assert entry is not None
    text = provenance.explanation(entry, SourceFile("patches.orion", ""), True, plan.patches)
    assert "patched by (applied last, in this order):\n  patches.orion:17:1  JSON patch: replace /spec/type\n" in text

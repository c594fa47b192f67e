"""Every Python block of README.md runs as written, the blocks in order as one script."""

import re
from pathlib import Path

import torch

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run_in_order():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 3
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        namespace: dict = {"__name__": "readme"}
        for block in blocks:
            exec(compile(block, str(README), "exec"), namespace)  # the project's own text, not user input
    finally:
        torch.set_num_threads(threads)
    assert namespace["run"].spent == 20  # the composed search spent exactly its budget

"""The benchmark harness behind ``benchmarks/run.py``, one module per stage.

Why a package: the benchmark has distinct stages that change for different reasons, and a
reader looking for one (how a venv is reused, what a row runs, how a ratio is computed)
should find it by its file name:

* :mod:`.util` - paths, setup subprocesses, markers, the environment tools run in;
* :mod:`.envs` - the measured venvs, the tool venv, the auxiliary venvs, the PYTHONPATH copy;
* :mod:`.manifests` - what bootguard reads: pylock, uv.lock, poetry.lock, snapshot, hash list;
* :mod:`.rows` - what a row is and how it is judged; :mod:`.table` - every row, as data;
* :mod:`.measure` - interleaved timing, quartiles, CPU time;
* :mod:`.middleware` - the health middleware under real servers;
* :mod:`.report`, :mod:`.targets`, :mod:`.chart` - Markdown, goals met or missed, the PNG;
* :mod:`.cli` - the command line and the order of the stages.

It uses the standard library only (matplotlib if installed) and never imports bootguard: the
one place that does is ``benchmarks/inproc.py``, run in a fresh process per sample.
"""

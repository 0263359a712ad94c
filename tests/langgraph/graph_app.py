"""A small real LangGraph app for the restart test: a loop (work -> work ... -> review) and a
human interrupt in review. Run as ``python graph_app.py STORE start|resume|history THREAD``;
prints one JSON line."""

from __future__ import annotations

import operator
import sys
from typing import Annotated, TypedDict

import orjson
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

import cortexdb
from cortexdb.langgraph import CortexSaver


class State(TypedDict):
    count: int
    log: Annotated[list[str], operator.add]
    approved: bool


def work(state: State) -> dict:
    return {"count": state["count"] + 1, "log": [f"work {state['count'] + 1}"]}


def loop_or_review(state: State) -> str:
    return "work" if state["count"] < 5 else "review"


def review(state: State) -> dict:
    answer = interrupt({"question": f"approve after {state['count']} steps?"})
    return {"approved": answer == "yes", "log": [f"review {answer}"]}


def build(saver: CortexSaver):  # type: ignore[no-untyped-def]
    graph = StateGraph(State)
    graph.add_node("work", work)
    graph.add_node("review", review)
    graph.add_edge(START, "work")
    graph.add_conditional_edges("work", loop_or_review, ["work", "review"])
    graph.add_edge("review", END)
    return graph.compile(checkpointer=saver)


def main(store: str, action: str, thread: str) -> None:
    with cortexdb.open(store) as db:
        app = build(CortexSaver(db, keep_last=int(sys.argv[4]) if len(sys.argv) > 4 else None))
        config = {"configurable": {"thread_id": thread}}
        if action == "start":
            out = app.invoke({"count": 0, "log": [], "approved": False}, config)
            snapshot = app.get_state(config)
            result = {"interrupts": [i.value for i in out.get("__interrupt__", [])], "next": list(snapshot.next)}
        elif action == "resume":
            out = app.invoke(Command(resume="yes"), config)
            result = {"count": out["count"], "log": out["log"], "approved": out["approved"]}
        else:
            history = list(app.get_state_history(config))
            result = {"steps": [h.metadata["step"] for h in history], "counts": [h.values.get("count") for h in history],
                      "next": [list(h.next) for h in history]}
    sys.stdout.write(orjson.dumps(result).decode() + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])

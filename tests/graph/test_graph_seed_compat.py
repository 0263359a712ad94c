"""Seed 001's "Crawler Integration Examples", copied unchanged except the import line."""

from __future__ import annotations

import pytest

import cortexdb

# ---- begin: seed 001, "Crawler Integration Examples" (only the import line changed) ----------
# Agent uses discovered databases for accurate code generation
from cortexdb import (
    KnowledgeGraph,
    NotFoundError,
    ValidationError,
)


def generate_database_code(request: str):
    """Agent generates code using actual workspace databases"""
    kg = KnowledgeGraph()

    # Query discovered databases
    databases = kg.query_discovered_databases()

    if databases:
        # Use actual connection string and type
        db = databases[0]
        conn_string = db['connection_string']
        db_type = db['database_type']

        # Generate accurate, workspace-specific code
        code = f"""
        # Using discovered {db_type} database
        import {db_type}

        conn = {db_type}.connect('{conn_string}')
        cursor = conn.cursor()
        # Your query here
        """
    else:
        # Fall back to generic template
        code = "# No database discovered, using generic template"

    return code

def generate_api_client_code(request: str):
    """Generate API client using discovered endpoints"""
    kg = KnowledgeGraph()

    # Query discovered APIs
    apis = kg.query_discovered_apis(api_type='rest')

    if apis:
        api = apis[0]
        base_url = api['base_url']
        auth_type = api['authentication_type']

        code = f"""
        # Using discovered API: {base_url}
        import requests

        BASE_URL = '{base_url}'
        # Authentication: {auth_type}
        """

    return code

# Link discovered entities to knowledge graph patterns
def link_crawler_discoveries_to_patterns():
    """Create relationships between patterns and discovered entities"""
    kg = KnowledgeGraph()

    # Example: Link database query pattern to actual database
    kg.add_relationship(
        subject_pattern_id=123,  # Pattern: "Generate Oracle query"
        relationship_type='uses_database',
        object_entity_id=456,     # workspace_databases.id
        object_entity_type='workspace_database'
    )

    # Example: Link API integration pattern to actual API
    kg.add_relationship(
        subject_pattern_id=789,  # Pattern: "Call REST API"
        relationship_type='uses_api',
        object_entity_id=101,     # workspace_apis.id
        object_entity_type='workspace_api'
    )

# ---- end of seed code -------------------------------------------------------------------------


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("CORTEXDB_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_generate_database_code(home):
    assert generate_database_code("x") == "# No database discovered, using generic template"
    with cortexdb.open() as db:
        db.workspace.record_database(database_type="postgresql", connection_string="postgresql://localhost/app",
                                     host="localhost", port=5432, database_name="app")
    code = generate_database_code("x")
    assert "import postgresql" in code and "postgresql.connect('postgresql://localhost/app')" in code


def test_generate_api_client_code(home):
    with cortexdb.open() as db:
        db.workspace.record_api(api_type="rest", base_url="https://api.example.com", authentication_type="bearer")
        db.workspace.record_api(api_type="graphql", base_url="https://api.example.com/graphql")
    code = generate_api_client_code("x")
    assert "BASE_URL = 'https://api.example.com'" in code and "# Authentication: bearer" in code


def test_link_crawler_discoveries_to_patterns(home):
    # The seed's example ids: patterns 123 and 789, database 456, API 101.
    with cortexdb.open() as db:
        g = db.graph
        for i in range(1, 790):
            if i in (123, 789):
                assert g.add_pattern(f"pattern-{i}", f"Pattern {i}", "how", "solution").id == i
            else:
                g.upsert_entity(f"filler-{i}", kind="filler")
        with db.transaction():
            for i in range(1, 457):
                db.workspace.record_database(database_type="postgresql", connection_string=f"pg://h/db{i}",
                                             host="h", port=5432, database_name=f"db{i}")
            for i in range(1, 102):
                db.workspace.record_api(api_type="rest", base_url=f"https://api{i}.example.com")
    with pytest.raises(NotFoundError):  # nothing linked before the ids exist is silently accepted
        KnowledgeGraph().add_relationship(subject_pattern_id=5, relationship_type="uses_api", object_entity_id=1,
                                          object_entity_type="workspace_api")
    link_crawler_discoveries_to_patterns()
    link_crawler_discoveries_to_patterns()  # idempotent
    with KnowledgeGraph() as kg:
        links = kg.relationships()
        assert [(r["subject_pattern_id"], r["relationship_type"], r["object_entity_id"], r["object_entity_type"])
                for r in links] == [(123, "uses_database", 456, "workspace_database"),
                                    (789, "uses_api", 101, "workspace_api")]
        with pytest.raises(ValidationError):
            kg.add_relationship(subject_pattern_id=123, relationship_type="x", object_entity_id=1,
                                object_entity_type="workspace_table")
        assert kg.search("Pattern 123")[0].entity.id == 123  # the graph API is reachable too
        rows = kg.store.query("SELECT count(*) AS n FROM graph_workspace_links")
        assert rows == [{"n": 2}]


def test_knowledge_graph_accepts_path_and_store(tmp_path):
    with KnowledgeGraph(tmp_path / "a") as kg:
        assert kg.query_discovered_frameworks() == []
    with cortexdb.open(tmp_path / "b") as db:
        kg = KnowledgeGraph(db)
        kg.close()  # does not close a store it did not open
        assert not db.closed

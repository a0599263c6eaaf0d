-- Placeholder on the llm branch: numbers 2-9 are left to the accounts branch; delete these at merge and renumber 0010.
SELECT 1;

# Deployed by CI: edit in a pull request, review the plan, merge to apply.
print("hello from a reviewed deploy")

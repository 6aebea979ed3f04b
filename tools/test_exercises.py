#!/usr/bin/env python3
"""Tests of the exercise tool (tools/exercises.py, tools/exercise_tool/) on the fixture files in tests/exercises/fixtures (run by CTest, label exercises).

    python3 tools/test_exercises.py -v
"""
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
from exercise_tool import check, course, markers, names, readme, testing, workspace

FIXTURES = HERE.parent / "tests" / "exercises" / "fixtures"
CHAPTER = "chapters/01_fixture"


def fixture_text(name: str) -> str:
    return (FIXTURES / CHAPTER / name).read_text(encoding="utf-8")


class FixtureCourse:
    """A temporary course root holding some of the fixture lesson files and the fixture tests."""

    def __init__(self, *names: str):
        self.dir = Path(tempfile.mkdtemp(prefix="exercises-test-"))
        (self.dir / CHAPTER).mkdir(parents=True)
        for name in names:
            shutil.copy(FIXTURES / CHAPTER / name, self.dir / CHAPTER / name)
        shutil.copytree(FIXTURES / "tests", self.dir / "tests")

    def course(self) -> course.Course:
        return course.Course(self.dir)

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class Parser(unittest.TestCase):
    def test_well_formed(self):
        exercises, problems = markers.parse(fixture_text("well_formed.hpp"), f"{CHAPTER}/well_formed.hpp")
        self.assertEqual(problems, [])
        self.assertEqual([e.id for e in exercises], ["ch01.sigmoid", "ch01.cost"])
        sigmoid, cost = exercises
        self.assertEqual(sigmoid.hint, "σ(z) = 1 / (1 + e^{-z}), element-wise: use arma::exp")
        self.assertEqual(sigmoid.body, ["  return 1.0 / (1.0 + arma::exp(-z));"])
        self.assertEqual(sigmoid.indent, "  ")
        self.assertEqual(len(cost.hint_lines), 2)  # a hint on two lines is one hint
        self.assertIn("J = −(1/m)", cost.hint)
        self.assertIn('a "quoted" word', cost.hint)
        self.assertEqual(len(cost.body), 2)
        self.assertEqual(sigmoid.suite, "ch01_sigmoid")

    def test_missing_end(self):
        exercises, problems = markers.parse(fixture_text("missing_end.hpp"), f"{CHAPTER}/missing_end.hpp")
        messages = [str(p) for p in problems]
        self.assertEqual(len(problems), 1, messages)
        self.assertIn("BEGIN EXERCISE ch01.f has no END EXERCISE before the next BEGIN (line 8)", messages[0])
        self.assertIn(":3:", messages[0])
        self.assertEqual([e.id for e in exercises], ["ch01.g"])

    def test_missing_end_at_end_of_file(self):
        _, problems = markers.parse('#include "common/exercise.hpp"\n// BEGIN EXERCISE ch01.x\n// hint: h\nreturn 1;\n',
                               f"{CHAPTER}/x.hpp")
        self.assertEqual([p.message for p in problems], ["BEGIN EXERCISE ch01.x has no END EXERCISE"])

    def test_missing_hint(self):
        _, problems = markers.parse(fixture_text("missing_hint.hpp"), f"{CHAPTER}/missing_hint.hpp")
        self.assertEqual(len(problems), 1)
        self.assertIn("exercise ch01.no_hint has no hint", problems[0].message)

    def test_bad_markers(self):
        _, problems = markers.parse(fixture_text("bad_markers.hpp"), f"{CHAPTER}/bad_markers.hpp")
        text = "\n".join(str(p) for p in problems)
        self.assertIn(":3: END EXERCISE without a BEGIN EXERCISE", text)
        self.assertIn("exercise id 'Ch1-Bad' is not of the form chNN.snake_case", text)
        self.assertIn("exercise ch02.wrong_chapter is in chapter 01's folder", text)
        self.assertIn("malformed exercise marker '// BEGIN EXERCISE: ch01.colon'", text)
        self.assertIn('#include "xor.hpp": include lesson files by their path', text)

    def test_code_after_end_is_a_warning(self):
        text = ('#include "common/exercise.hpp"\nvoid f(int& x) {\n  // BEGIN EXERCISE ch01.f\n  // hint: h\n'
                "  x = 1;\n  // END EXERCISE\n  check(x);\n}\n")
        exercises, problems = markers.parse(text, f"{CHAPTER}/f.hpp")
        self.assertEqual(len(exercises), 1)
        self.assertEqual(len(problems), 1)
        self.assertTrue(problems[0].warning)
        self.assertIn("followed by 'check(x);'", problems[0].message)

    def test_missing_include(self):
        _, problems = markers.parse("int f() {\n// BEGIN EXERCISE ch01.f\n// hint: h\nreturn 1;\n// END EXERCISE\n}\n",
                               f"{CHAPTER}/f.hpp")
        self.assertEqual(len(problems), 1)
        self.assertIn('#include "common/exercise.hpp"', problems[0].message)


class Generation(unittest.TestCase):
    def setUp(self):
        self.file = f"{CHAPTER}/well_formed.hpp"
        self.text = fixture_text("well_formed.hpp")
        self.exercises, _ = markers.parse(self.text, self.file)

    def test_stub_keeps_markers_and_hints_and_drops_the_body(self):
        stub = markers.make_stub(self.text, self.exercises)
        self.assertNotIn("arma::exp(-z));", stub)
        self.assertNotIn("arma::accu(terms)", stub)
        self.assertIn("  // BEGIN EXERCISE ch01.sigmoid\n  // hint: σ(z) = 1 / (1 + e^{-z}), element-wise: use arma::exp\n"
                      '  course::exercise_not_implemented("ch01.sigmoid", "σ(z) = 1 / (1 + e^{-z}), element-wise: '
                      'use arma::exp");\n  // END EXERCISE\n', stub)
        # The hint becomes a valid C++ string literal.
        self.assertIn(r'a \"quoted\" word and a back\\slash', stub)
        # Everything outside the regions is unchanged.
        self.assertIn("const double m = static_cast<double>(y.n_elem);", stub)
        again, problems = markers.parse(stub, self.file, strict=False)
        self.assertEqual(problems, [])
        self.assertTrue(all(markers.is_stub(r.hint_lines + r.body, e) for r, e in zip(again, self.exercises)))

    def test_mutant_keeps_the_reference_behind_the_switch(self):
        mutant = markers.make_mutant(self.text, self.exercises)
        self.assertIn('  if (course::exercise_stubbed("ch01.sigmoid")) course::exercise_not_implemented("ch01.sigmoid", ',
                      mutant)
        self.assertIn("  return 1.0 / (1.0 + arma::exp(-z));", mutant)
        self.assertIn("  return -arma::accu(terms) / m;", mutant)


class Lint(unittest.TestCase):
    def test_well_formed_course(self):
        fc = FixtureCourse("well_formed.hpp")
        try:
            problems, warnings = fc.course().lint()
            # ch01.sigmoid has TEST(ch01_sigmoid, ...); ch01.cost has no test.
            self.assertEqual([p.message for p in problems],
                             ["exercise ch01.cost has no test: expected at least one TEST(ch01_cost, ...) in "
                              "tests/ch01_*.cpp"])
            self.assertEqual(len(warnings), 2)  # ch01_sigmoidFixture and ch01_orphan are not exercises
            self.assertIn("ch01_orphan", "\n".join(warnings))
        finally:
            fc.cleanup()

    def test_duplicate_id(self):
        fc = FixtureCourse("well_formed.hpp", "duplicate_id.hpp")
        try:
            problems = [str(p) for p in fc.course().lint()[0]]
            dup = [p for p in problems if "used twice" in p]
            self.assertEqual(len(dup), 1, problems)
            self.assertIn("exercise id ch01.sigmoid is used twice", dup[0])
        finally:
            fc.cleanup()


class WorkspaceLifecycle(unittest.TestCase):
    def setUp(self):
        self.fc = FixtureCourse("well_formed.hpp")
        self.course = self.fc.course()
        self.ws = workspace.Workspace(self.course)
        self.file = f"{CHAPTER}/well_formed.hpp"
        self.path = self.ws.file(self.file)

    def tearDown(self):
        self.fc.cleanup()

    def quiet(self, fn, *args):
        import contextlib
        import io
        with contextlib.redirect_stdout(io.StringIO()) as out:
            code = fn(*args)
        return code, out.getvalue()

    def write_sigmoid(self, body: str):
        text = self.path.read_text(encoding="utf-8")
        stub = [line for line in text.splitlines() if 'exercise_not_implemented("ch01.sigmoid"' in line][0]
        self.path.write_text(text.replace(stub, body), encoding="utf-8")

    def write_sigmoid_over(self, old: str, new: str):
        self.path.write_text(self.path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    def test_init_status_reset_update(self):
        code, out = self.quiet(workspace.cmd_init, self.course, self.ws)
        self.assertEqual(code, 0)
        self.assertIn(f"created workspace/{self.file}", out)
        sigmoid = self.course.exercises["ch01.sigmoid"]
        self.assertEqual(self.ws.exercise_state(sigmoid), "stub")
        self.assertEqual(workspace.status_word(self.ws, sigmoid), ("not started", False))

        # The learner writes sigmoid; init never overwrites it.
        self.write_sigmoid("  return 1.0 / (1.0 + arma::exp(-z));  // mine")
        self.assertEqual(self.ws.exercise_state(sigmoid), "written")
        code, out = self.quiet(workspace.cmd_init, course.Course(self.fc.dir), workspace.Workspace(self.course))
        self.assertIn("kept    workspace/", out)
        self.assertIn("// mine", self.path.read_text(encoding="utf-8"))

        # A check result that passed counts as done until the region changes again.
        self.ws.state["results"]["ch01.sigmoid"] = {"status": "passed", "region": self.ws.region_hash(sigmoid)}
        self.assertEqual(workspace.status_word(self.ws, sigmoid), ("passed", True))

        # The course changes one exercise's reference (a git pull): status says so, update keeps the learner's code.
        ref = self.fc.dir / self.file
        ref.write_text(ref.read_text(encoding="utf-8").replace("return -arma::accu(terms) / m;",
                                                               "return -arma::accu(terms) / m;  // new"),
                       encoding="utf-8")
        course2 = course.Course(self.fc.dir)
        ws2 = workspace.Workspace(course2)
        notes = ws2.changes_in_course()
        self.assertEqual(len(notes), 1)
        self.assertIn("ch01.cost changed", notes[0])
        code, out = self.quiet(workspace.cmd_update, course2, ws2)
        self.assertIn("kept your code for ch01.sigmoid", out)
        self.assertIn("stubs for ch01.cost", out)
        self.assertEqual(workspace.Workspace(course2).changes_in_course(), [])
        self.assertIn("// mine", self.path.read_text(encoding="utf-8"))
        self.assertEqual(len(list((self.ws.path / workspace.BACKUP_DIR).rglob("*"))) > 0, True)

        # reset puts sigmoid back to its stub, keeping a backup of the learner's version.
        code, out = self.quiet(workspace.cmd_reset, course2, workspace.Workspace(course2), "ch01.sigmoid")
        self.assertEqual(code, 0)
        self.assertNotIn("// mine", self.path.read_text(encoding="utf-8"))
        self.assertEqual(workspace.Workspace(course2).exercise_state(course2.exercises["ch01.sigmoid"]), "stub")
        backups = [p.read_text(encoding="utf-8") for p in (self.ws.path / workspace.BACKUP_DIR).rglob("*") if p.is_file()]
        self.assertTrue(any("// mine" in b for b in backups))
        # The rest of the file is the course's, untouched by reset.
        self.assertEqual(markers.make_stub(course2.files[self.file], course2.exercises_in(self.file)),
                         self.path.read_text(encoding="utf-8"))

    def test_diff_of_an_answer_equal_to_the_reference(self):
        self.quiet(workspace.cmd_init, self.course, self.ws)
        self.write_sigmoid("  return 1.0 / (1.0 + arma::exp(-z));")  # the reference's body, exactly
        code, out = self.quiet(workspace.cmd_diff, self.course, self.ws, "ch01.sigmoid")
        self.assertEqual((code, out), (0, "ch01.sigmoid: same as the reference\n"))
        self.write_sigmoid_over("  return 1.0 / (1.0 + arma::exp(-z));", "  return 1.0 / (1.0 + arma::exp(z));")
        code, out = self.quiet(workspace.cmd_diff, self.course, self.ws, "ch01.sigmoid")
        self.assertIn("-  return 1.0 / (1.0 + arma::exp(-z));\n+  return 1.0 / (1.0 + arma::exp(z));", out)

    def test_solve_fills_with_the_reference_marked_as_such_and_keeps_what_the_learner_wrote(self):
        self.quiet(workspace.cmd_init, self.course, self.ws)
        self.write_sigmoid("  return 1.0 / (1.0 + arma::exp(-z));  // mine")
        code, out = self.quiet(workspace.cmd_solve, self.course, self.ws, ["1"], None)
        self.assertEqual(code, 0)
        self.assertRegex(out, r"ch01.cost +the reference's answer, marked as such: workspace/chapters/01_fixture/")
        self.assertIn("ch01.sigmoid", out)
        self.assertIn("kept: you wrote it", out)
        text = self.path.read_text(encoding="utf-8")
        self.assertIn("// mine", text)
        self.assertIn(markers.REFERENCE_MARK + "\n  const arma::rowvec terms", text)
        cost, sigmoid = self.course.exercises["ch01.cost"], self.course.exercises["ch01.sigmoid"]
        self.assertEqual(self.ws.exercise_state(cost), "reference")
        self.assertEqual(workspace.status_word(self.ws, cost), (workspace.REFERENCE_WORD, False))
        self.assertEqual(workspace.progress_bar(self.ws, [sigmoid, cost]), "[.r]")
        code, out = self.quiet(workspace.cmd_status, self.course, self.ws)
        self.assertIn("[.r]", out)
        self.assertIn(f"ch01.cost{' ' * 5}", out)
        self.assertIn("the reference's answer (./course exercises solve), not yours", out)
        # A later chapter trusts the reference's answer without a check of chapter 1.
        self.assertNotIn("ch01.cost", check.distrusted_elsewhere(self.course, self.ws, "ch02"))
        self.assertIn("ch01.sigmoid", check.distrusted_elsewhere(self.course, self.ws, "ch02"))
        # diff says it is the reference's; reset takes it back to the stub; --upto fills it again.
        self.assertEqual(self.quiet(workspace.cmd_diff, self.course, self.ws, "ch01.cost")[1],
                         f"ch01.cost: {workspace.REFERENCE_WORD}\n")
        self.quiet(workspace.cmd_reset, self.course, self.ws, "ch01.cost")
        self.assertEqual(self.ws.exercise_state(cost), "stub")
        code, out = self.quiet(workspace.cmd_solve, self.course, self.ws, [], "ch03")
        self.assertEqual(self.ws.exercise_state(cost), "reference")
        self.assertEqual(self.ws.exercise_state(sigmoid), "written")

    def test_status_says_how_to_go_on_when_exercises_wait_for_another_chapter(self):
        self.quiet(workspace.cmd_init, self.course, self.ws)
        self.write_sigmoid("  return 1.0 / (1.0 + arma::exp(-z));")
        sigmoid = self.course.exercises["ch01.sigmoid"]
        self.ws.state["results"]["ch01.sigmoid"] = {"status": "blocked", "blocked_by": "ch00.tour",
                                                   "region": self.ws.region_hash(sigmoid)}
        code, out = self.quiet(workspace.cmd_status, self.course, self.ws)
        self.assertIn("ch01.sigmoid  waiting for ch00.tour", out)
        self.assertIn("note: some exercises wait for chapter 0: ./course exercises solve 0 fills that chapter with "
                      "the reference's answers", out)

    def test_solve_in_a_chapters_report(self):
        self.quiet(workspace.cmd_init, self.course, self.ws)
        self.quiet(workspace.cmd_solve, self.course, self.ws, ["ch01.cost"], None)
        self.write_sigmoid("  return 1.0 / (1.0 + arma::exp(-z));")
        exs = self.course.chapters()["ch01"]
        tests = [testing.TestResult("ch01_sigmoid", "KnownValues", True, False, []),
                 testing.TestResult("ch01_cost", "KnownValue", True, False, [])]
        results = check.record_results(self.course, self.ws, "ch01", exs, tests)
        lines, done = check.chapter_report(self.course, self.ws, "ch01", exs, tests, results)
        report = "\n".join(lines)
        self.assertEqual(done, 1)
        self.assertIn("[r] ch01.cost", report)
        self.assertIn("1 of 2 exercises of chapter 1 done, and 1 is the reference's answer.", report)

    def test_diff_says_when_only_comments_and_spacing_differ(self):
        self.quiet(workspace.cmd_init, self.course, self.ws)
        self.write_sigmoid("  // σ, element-wise\n  return 1.0/(1.0 + arma::exp(-z));   /* the logistic */")
        code, out = self.quiet(workspace.cmd_diff, self.course, self.ws, None)
        self.assertIn("ch01.sigmoid                         the same code as the reference (only comments or "
                      "spacing differ)", out)
        code, out = self.quiet(workspace.cmd_diff, self.course, self.ws, "ch01.sigmoid")
        self.assertTrue(out.startswith("ch01.sigmoid: the same code as the reference (only comments or spacing "
                                       "differ); the differences:\n"), out)
        self.write_sigmoid_over("arma::exp(-z)", "arma::exp(z)")
        self.assertIn("differs from the reference", self.quiet(workspace.cmd_diff, self.course, self.ws, None)[1])

    def test_list_points_at_the_learners_file_with_each_hint_line_on_its_own(self):
        self.quiet(workspace.cmd_init, self.course, self.ws)
        code, out = self.quiet(workspace.cmd_list, self.course, self.ws)
        self.assertIn(f"ch01.cost                    workspace/{self.file}:", out)
        self.assertNotIn(f" {self.file}:", out.replace(f"workspace/{self.file}", ""))
        self.assertIn("hint: J = −(1/m) Σ [y log a + (1 − y) log(1 − a)]\n", out)
        self.assertIn("\n" + " " * 37 + 'a "quoted" word', out)

    def test_check_prints_the_hint_as_one_paragraph_wrapped_under_its_indent(self):
        cost = self.course.exercises["ch01.cost"]
        self.assertEqual(check.hint_lines(cost, 4),
                         ['    hint: J = −(1/m) Σ [y log a + (1 − y) log(1 − a)] a "quoted" word and a '
                          "back\\slash survive the stub"])
        self.assertEqual(check.hint_lines(cost, 40)[1:], ["                                              a back\\slash "
                                                           "survive the stub"])
        self.assertTrue(all(len(line) <= 110 for line in check.hint_lines(cost, 30)))

    def test_an_old_workspaces_stub_with_the_hint_on_one_line_is_still_a_stub(self):
        cost = self.course.exercises["ch01.cost"]
        old = "  " + markers.stub_call(cost, cost.hint.replace("\n", " "))
        self.assertTrue(markers.is_stub([old], cost))
        self.assertIn("\\n", markers.stub_call(cost))  # today's: a newline between the hint's lines

    def test_reset_refuses_when_markers_are_gone(self):
        self.quiet(workspace.cmd_init, self.course, self.ws)
        text = self.path.read_text(encoding="utf-8").replace("// BEGIN EXERCISE ch01.sigmoid", "// gone")
        self.path.write_text(text, encoding="utf-8")
        import contextlib
        import io
        with contextlib.redirect_stderr(io.StringIO()) as err:
            code, _ = self.quiet(workspace.cmd_reset, self.course, self.ws, "ch01.sigmoid")
        self.assertEqual(code, 1)
        self.assertIn("markers of ch01.sigmoid are gone", err.getvalue())
        self.assertEqual(self.ws.exercise_state(self.course.exercises["ch01.sigmoid"]), "lost")


class Classify(unittest.TestCase):
    def setUp(self):
        exercises, _ = markers.parse(fixture_text("well_formed.hpp"), f"{CHAPTER}/well_formed.hpp")
        self.sigmoid = exercises[0]

    def result(self, passed, messages=(), suite="ch01_sigmoid", name="KnownValues"):
        return testing.TestResult(suite, name, passed, False, list(messages))

    def test_passed_failed_blocked_stub(self):
        self.assertEqual(check.classify(self.sigmoid, [self.result(True)])["status"], "passed")
        failed = check.classify(self.sigmoid, [self.result(True, name="A"),
                                            self.result(False, ["tests/ch01_x.cpp:12\nFailure\nExpected: 0.5\n  got: 0.4"])])
        self.assertEqual(failed["status"], "failed")
        self.assertEqual(failed["message"], "Expected: 0.5\n  got: 0.4")
        self.assertEqual((failed["failed"], failed["tests"]), (1, 2))
        blocked = check.classify(self.sigmoid, [self.result(False, [
            'C++ exception with description "exercise ch03.relu is not implemented yet: max" thrown in the test body.'])])
        self.assertEqual((blocked["status"], blocked["blocked_by"]), ("blocked", "ch03.relu"))
        stub = check.classify(self.sigmoid, [self.result(False, [
            'C++ exception with description "exercise ch01.sigmoid is not implemented yet: σ" thrown'])])
        self.assertEqual(stub["status"], "stub")
        self.assertEqual(check.classify(self.sigmoid, [self.result(True, suite="Other")])["status"], "notests")

    def test_parameterised_suite_names(self):
        self.assertEqual(testing.base_suite("Sizes/ch01_sigmoid"), "ch01_sigmoid")
        self.assertEqual(testing.base_suite("ch01_sigmoid/0"), "ch01_sigmoid")
        self.assertEqual(names.chapter_key("4"), "ch04")
        self.assertEqual(names.chapter_key("04"), "ch04")
        self.assertEqual(names.chapter_key("ch4"), "ch04")


class Blame(unittest.TestCase):
    """A verdict is about one exercise: a failing test of A that also runs B, while B fails its own tests,
    makes A wait for B instead of failing."""

    def exercise(self, ex_id: str) -> markers.Exercise:
        return markers.Exercise(ex_id, f"{CHAPTER}/two.hpp", 0, 3, "", ["// hint: h"], "h", ["return 1;"])

    def result(self, suite, name, passed, message=""):
        return testing.TestResult(suite, name, passed, False, [message] if message else [])

    def setUp(self):
        self.a, self.b = self.exercise("ch01.a"), self.exercise("ch01.b")
        self.runs = {"ch01_a.AgainstB": ["ch01.b"]}  # A's test also runs B (verify found it)

    def test_a_waits_for_b_when_b_fails_its_own_tests(self):
        tests = [self.result("ch01_a", "OnItsOwn", True),
                 self.result("ch01_a", "AgainstB", False, "relative error 0.99"),
                 self.result("ch01_b", "KnownValues", False, "dw is m = 8 times too large")]
        verdicts = check.chapter_verdicts([self.a, self.b], tests, self.runs, {})
        self.assertEqual(verdicts["ch01.b"]["status"], "failed")
        self.assertEqual(verdicts["ch01.b"]["message"], "dw is m = 8 times too large")
        self.assertEqual((verdicts["ch01.a"]["status"], verdicts["ch01.a"]["blocked_by"], verdicts["ch01.a"]["why"]),
                         ("blocked", "ch01.b", "fails its own tests"))
        self.assertEqual(verdicts["ch01.a"]["test"], "ch01_a.AgainstB")
        # Without the knowledge that the test runs B, the same results blame A.
        self.assertEqual(check.chapter_verdicts([self.a, self.b], tests, {}, {})["ch01.a"]["status"], "failed")

    def test_a_fails_when_b_passes_or_when_a_fails_a_test_of_its_own(self):
        b_passes = [self.result("ch01_a", "AgainstB", False, "relative error 0.99"),
                    self.result("ch01_b", "KnownValues", True)]
        self.assertEqual(check.chapter_verdicts([self.a, self.b], b_passes, self.runs, {})["ch01.a"]["status"], "failed")
        own = [self.result("ch01_a", "AgainstB", False, "relative error 0.99"),
               self.result("ch01_a", "OnItsOwn", False, "a(0) is 2 but should be 1"),
               self.result("ch01_b", "KnownValues", False, "wrong")]
        a = check.chapter_verdicts([self.a, self.b], own, self.runs, {})["ch01.a"]
        self.assertEqual((a["status"], a["test"], a["message"]), ("failed", "ch01_a.OnItsOwn", "a(0) is 2 but should be 1"))

    def test_an_exercise_of_another_chapter_that_is_not_trusted(self):
        tests = [self.result("ch01_a", "AgainstB", False, "relative error 0.99")]
        runs = {"ch01_a.AgainstB": ["ch00.c"]}
        a = check.chapter_verdicts([self.a], tests, runs, {"ch00.c": "has changed since its last check"})["ch01.a"]
        self.assertEqual((a["status"], a["blocked_by"], a["why"]), ("blocked", "ch00.c", "has changed since its last check"))

    def test_the_root_cause_is_blamed_not_the_one_waiting(self):
        # A's test runs B and C; B's test runs C; C fails on its own: both wait for C.
        c = self.exercise("ch01.c")
        runs = {"ch01_a.AgainstB": ["ch01.b", "ch01.c"], "ch01_b.KnownValues": ["ch01.c"]}
        tests = [self.result("ch01_a", "AgainstB", False, "x"), self.result("ch01_b", "KnownValues", False, "y"),
                 self.result("ch01_c", "Own", False, "z")]
        verdicts = check.chapter_verdicts([self.a, self.b, c], tests, runs, {})
        self.assertEqual([verdicts[i].get("blocked_by") for i in ("ch01.a", "ch01.b", "ch01.c")],
                         ["ch01.c", "ch01.c", None])


class WaitingAndFailing(unittest.TestCase):
    """The cases of issue 23: a mutual wait shows both failures; a test of one's own that fails independently
    makes the exercise FAILED, however many of its tests wait for another."""

    def exercise(self, ex_id: str) -> markers.Exercise:
        return markers.Exercise(ex_id, f"{CHAPTER}/two.hpp", 0, 3, "", ["// hint: h"], "h", ["return 1;"])

    def result(self, suite, name, passed, message=""):
        return testing.TestResult(suite, name, passed, False, [message] if message else [])

    def test_two_exercises_that_wait_for_each_other_fail_together_with_their_messages(self):
        # Batch norm's forward with the unbiased variance: every test of forward runs running_average and the
        # other way round (tools/exercise_dependencies.json), and both fail.
        forward, running = self.exercise("ch10.forward"), self.exercise("ch10.running_average")
        runs = {"ch10_forward.MeanZeroVarianceOne": ["ch10.running_average"],
                "ch10_running_average.ClosedForm": ["ch10.forward"]}
        tests = [self.result("ch10_forward", "MeanZeroVarianceOne", False, "σ² divides by m, not m − 1"),
                 self.result("ch10_running_average", "ClosedForm", False, "running variance 1.25, expected 1")]
        verdicts = check.chapter_verdicts([forward, running], tests, runs, {})
        self.assertEqual(verdicts["ch10.forward"]["status"], "failed")
        self.assertEqual(verdicts["ch10.forward"]["message"], "σ² divides by m, not m − 1")
        self.assertEqual(verdicts["ch10.forward"]["together"], ["ch10.running_average"])
        self.assertEqual(verdicts["ch10.running_average"]["status"], "failed")
        self.assertEqual(verdicts["ch10.running_average"]["message"], "running variance 1.25, expected 1")
        lines = "\n".join(check.verdict_lines(forward, verdicts["ch10.forward"], "workspace/x:1", 24, "ch10"))
        self.assertIn("FAILED ch10_forward.MeanZeroVarianceOne", lines)
        self.assertIn("| σ² divides by m, not m − 1", lines)
        self.assertIn("they fail together", lines)
        self.assertNotIn("waiting", lines)

    def test_a_third_exercise_waiting_on_the_circle_waits_for_one_that_fails(self):
        a, b, c = self.exercise("ch10.a"), self.exercise("ch10.b"), self.exercise("ch10.c")
        runs = {"ch10_a.T": ["ch10.b"], "ch10_b.T": ["ch10.a"], "ch10_c.T": ["ch10.a"]}
        tests = [self.result("ch10_a", "T", False, "x"), self.result("ch10_b", "T", False, "y"),
                 self.result("ch10_c", "T", False, "z")]
        verdicts = check.chapter_verdicts([a, b, c], tests, runs, {})
        self.assertEqual([verdicts[i]["status"] for i in ("ch10.a", "ch10.b")], ["failed", "failed"])
        self.assertEqual((verdicts["ch10.c"]["status"], verdicts["ch10.c"]["blocked_by"], verdicts["ch10.c"]["why"]),
                         ("blocked", "ch10.a", "fails its own tests"))

    def test_an_independent_failure_is_reported_although_another_test_waits(self):
        # Batch norm's backward without γ: its network test throws chapter 6's stub, its layer tests fail alone.
        backward = self.exercise("ch10.backward")
        tests = [self.result("ch10_backward", "ANetworkWithBatchNorm", False,
                             'C++ exception with description "exercise ch06.forward is not implemented yet: h"'),
                 self.result("ch10_backward", "InputGammaAndBeta", False, "dgamma: relative error 1 > 1e-07"),
                 self.result("ch10_backward", "EvaluationMode", True)]
        for verdict in (check.classify(backward, tests),
                        check.chapter_verdicts([backward], tests, {}, {"ch06.forward": check.WHY["stub"]})["ch10.backward"]):
            self.assertEqual(verdict["status"], "failed")
            self.assertEqual(verdict["test"], "ch10_backward.InputGammaAndBeta")
            self.assertEqual(verdict["message"], "dgamma: relative error 1 > 1e-07")
            self.assertEqual((verdict["failed"], verdict["tests"]), (2, 3))
            self.assertEqual(verdict["waiting"], ["ch06.forward"])
        # With only the test that waits failing, it waits, and says how to go on without chapter 6.
        waits = check.classify(backward, tests[:1] + tests[2:])
        self.assertEqual((waits["status"], waits["blocked_by"]), ("blocked", "ch06.forward"))
        line = "\n".join(check.verdict_lines(backward, waits, "workspace/x:1", 16, "ch10"))
        self.assertIn("waiting: its test ch10_backward.ANetworkWithBatchNorm also runs ch06.forward", line)
        self.assertIn("./course check 6, or ./course exercises solve 6 fills that chapter with the reference's", line)

    def test_dropout_forwards_contract_failing_makes_the_backward_wait_not_fail(self):
        # Dropout forward storing d as the mask (and /keep_prob on the output): the forward's own contract test
        # fails, the backward's gradient check fails because of it: the forward is blamed.
        fwd, bwd = self.exercise("ch08.dropout_forward"), self.exercise("ch08.dropout_backward")
        runs = {"ch08_dropout_backward.PassesTheGradientCheckWithTheMaskHeld": ["ch08.dropout_forward"],
                "ch08_dropout_backward.UsesTheForwardPassesMask": ["ch08.dropout_forward"]}
        tests = [self.result("ch08_dropout_forward", "KeepsTheExpectedActivation", True),
                 self.result("ch08_dropout_forward", "TheMaskIsDOverKeepProbAndTheOutputIsInputTimesTheMask", False,
                             "the kept elements of mask() are 1, expected 1/keep_prob = 1.25: mask() is d"),
                 self.result("ch08_dropout_backward", "UsesTheForwardPassesMask", True),
                 self.result("ch08_dropout_backward", "PassesTheGradientCheckWithTheMaskHeld", False, "0.25 > 1e-07")]
        verdicts = check.chapter_verdicts([fwd, bwd], tests, runs, {})
        self.assertEqual(verdicts["ch08.dropout_forward"]["status"], "failed")
        self.assertEqual((verdicts["ch08.dropout_backward"]["status"], verdicts["ch08.dropout_backward"]["blocked_by"]),
                         ("blocked", "ch08.dropout_forward"))


class WellDone(unittest.TestCase):
    def test_well_done_names_the_other_chapters_exercises_the_program_still_needs(self):
        fc = FixtureCourse("well_formed.hpp")
        try:
            more = fc.dir / "chapters/02_more"
            more.mkdir(parents=True)
            (more / "more.hpp").write_text('#include "common/exercise.hpp"\n#include "chapters/01_fixture/well_formed.hpp"\n'
                                           "int f() {\n  // BEGIN EXERCISE ch02.f\n  // hint: h\n  return 1;\n"
                                           "  // END EXERCISE\n}\n", encoding="utf-8")
            (more / "main.cpp").write_text('#include "chapters/02_more/more.hpp"\nint main() { return f(); }\n',
                                           encoding="utf-8")
            c = course.Course(fc.dir)
            ws = workspace.Workspace(c)
            import contextlib
            import io
            with contextlib.redirect_stdout(io.StringIO()):
                workspace.cmd_init(c, ws)
                workspace.cmd_solve(c, ws, ["ch01.cost"], None)
            f = c.exercises["ch02.f"]
            ws.write(f.file, ws.file(f.file).read_text(encoding="utf-8").replace(
                markers.stub_lines(f)[0], "  return 2;"))
            self.assertEqual([e.id for e in c.program_exercises("ch02")], ["ch01.sigmoid", "ch01.cost", "ch02.f"])
            tests = [testing.TestResult("ch02_f", "One", True, False, [])]
            results = check.record_results(c, ws, "ch02", [f], tests)
            report = "\n".join(check.chapter_report(c, ws, "ch02", [f], tests, results)[0])
            self.assertIn("1 of 1 exercises of chapter 2 done. Well done!", report)
            self.assertIn("Its code also uses exercises of other chapters that do not pass yet: ch01 (ch01.sigmoid: "
                          "1 to do)", report)  # ch01.cost is the reference's: not to do
            self.assertIn("./course check 1", report)
        finally:
            fc.cleanup()


class CommandLine(unittest.TestCase):
    def test_run_as_a_module_every_command_has_its_function(self):
        """./course runs python3 -m exercise_tool with tools/ on PYTHONPATH; each command dispatches through
        set_defaults(run=...)."""
        import os
        import subprocess
        fc = FixtureCourse("well_formed.hpp")
        try:
            env = dict(os.environ, PYTHONPATH=str(HERE), COURSE_ROOT=str(fc.dir))
            def tool(*args):
                return subprocess.run([sys.executable, "-m", "exercise_tool", *args], cwd=fc.dir, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
            p = tool("exercises", "init")
            self.assertEqual(p.returncode, 0, p.stderr)
            p = tool("exercises", "list")
            self.assertIn(f"ch01.sigmoid                 workspace/{CHAPTER}/well_formed.hpp:10", p.stdout)
            p = tool("exercises", "solve", "--upto", "1")
            self.assertIn("2 exercises of chapter 1 now hold the course's reference answers", p.stdout)
            p = tool("exercises", "solve", "--upto", "x")
            self.assertEqual(p.returncode, 2)
            self.assertIn("'x' is not a chapter (expected a number like 4, 04 or ch04)", p.stderr)
            p = tool("exercises")
            self.assertIn("ch01   0/2  [rr]", p.stdout)
            self.assertIn("usage: ./course check", tool("check", "--help").stdout)
        finally:
            fc.cleanup()


class Encoding(unittest.TestCase):
    def test_a_non_ascii_failure_message_reads_as_it_was_written(self):
        """A real GoogleTest JSON (tests/exercises/fixtures/gtest-output/non_ascii_failure.cpp made it)."""
        [result] = testing.read_gtest_json(FIXTURES / "gtest-output" / "non_ascii_failure.json")
        self.assertIn('Expected: (m.find("2 × 4"))', result.messages[0])
        self.assertIn("∂J/∂z, ε = 1e-05", result.messages[0])
        self.assertNotIn("Ã", result.messages[0])

    def test_text_that_is_not_escaped_bytes_is_left_alone(self):
        self.assertEqual(testing.gtest_text("∂J/∂z"), "∂J/∂z")
        self.assertEqual(testing.gtest_text("plain"), "plain")


class Dependencies(unittest.TestCase):
    def test_verify_keeps_the_dependencies_file_honest(self):
        import contextlib
        import io
        from exercise_tool import verify
        fc = FixtureCourse("well_formed.hpp")
        try:
            (fc.dir / "tools").mkdir()
            found = {"ch01_cost.KnownValue": {"ch01.sigmoid"}}
            with contextlib.redirect_stdout(io.StringIO()):
                stale = verify.check_dependencies(fc.course(), found, fc.dir, write=False)
                self.assertEqual(len(stale), 1)
                self.assertIn(f"{course.DEPENDENCIES} is out of date (1 test changed, e.g. ch01_cost.KnownValue)",
                              stale[0])
                self.assertIn("verify --write-dependencies", stale[0])
                self.assertEqual(verify.check_dependencies(fc.course(), found, fc.dir, write=True), [])
                self.assertEqual(fc.course().test_runs(), {"ch01_cost.KnownValue": ["ch01.sigmoid"]})
                self.assertEqual(verify.check_dependencies(fc.course(), found, fc.dir, write=False), [])
        finally:
            fc.cleanup()


class CompilerErrors(unittest.TestCase):
    def test_a_missing_semicolon_in_a_gmake_log(self):
        """A real log (./course check 1 after a missing semicolon in ch01.gradients_vectorized): the compiler's
        error with its context lines, nothing of make's."""
        log = (FIXTURES / "build-logs" / "missing_semicolon.gmake.log").read_text(encoding="utf-8")
        self.assertIn("gmake[2]: ***", log)  # the fixture is the kind of log the issue was about
        shown = testing.compiler_errors(log)
        self.assertNotIn("gmake", shown)
        self.assertNotIn("Building CXX object", shown)
        lines = shown.splitlines()
        error = next(i for i, line in enumerate(lines) if ": error: " in line)
        self.assertRegex(lines[error], r"logistic_regression\.cpp:\d+:\d+: error: expected .;. before")
        self.assertRegex(lines[error - 1], r"logistic_regression\.cpp: In function ")  # its context, kept
        self.assertRegex(lines[error + 1], r"^\s*\d+ \| ")                           # and the source line
        self.assertEqual(sum(": error: " in line for line in lines), sum(": error: " in line for line in log.splitlines()))

    def test_a_linker_error_and_an_error_reported_by_two_files(self):
        header_error = ["In file included from /s/a.cpp:1:", "/s/a.hpp: In function 'T f(T)':",
                        "/s/a.hpp:3:15: error: expected ';' before '}' token", "    3 |   return x + 1", "      |   ^"]
        log = "\n".join(["[ 25%] Building CXX object a.cpp.o", *header_error,
                         "gmake[2]: *** [a.o] Error 1", "In file included from /s/b.cpp:1:", *header_error[1:],
                         "/usr/bin/ld: CMakeFiles/e.dir/main.cpp.o: in function `main':",
                         "main.cpp:(.text+0x1b): undefined reference to `h(int)'",
                         "collect2: error: ld returned 1 exit status", "gmake: *** [Makefile:137: e] Error 2"])
        shown = testing.compiler_errors(log).splitlines()
        self.assertEqual(sum("error: expected" in line for line in shown), 1)  # the header's error once
        self.assertEqual(shown[:5], header_error)
        self.assertIn("main.cpp:(.text+0x1b): undefined reference to `h(int)'", shown)
        self.assertFalse(any(line.startswith(("gmake", "[")) for line in shown))


class Readme(unittest.TestCase):
    """The README's samples must count what the course has (the real README: CTest exercises.readme)."""

    def setUp(self):
        self.fc = FixtureCourse("well_formed.hpp")  # chapter 1: ch01.sigmoid and ch01.cost, no README
        self.course = self.fc.course()

    def tearDown(self):
        self.fc.cleanup()

    def readme(self, *sample: str) -> str:
        return "# Course\n\n## Doing the exercises\n\n```console\n" + "\n".join(sample) + "\n```\n\n## Next\n"

    def test_samples_that_match(self):
        title = self.course.chapter_title("ch01")
        text = self.readme("Your workspace has 2 exercises in 1 chapter. Open a file above",
                           f"  created workspace/{CHAPTER}/well_formed.hpp  (ch01.sigmoid, ch01.cost)",
                           f"Chapter 1: {title}", "  [x] ch01.sigmoid    passed (1 test)", "  [ ] ch01.cost   not started",
                           f"  ch01   1/2  [#.]  {title}", "  total 1/2", "1 of 2 exercises of chapter 1 done.")
        self.assertEqual(readme.check_readme(self.course, text), [])

    def test_samples_out_of_date(self):
        text = self.readme("Your workspace has 3 exercises in 1 chapter.", "Chapter 1: Old title",
                           "  [ ] ch01.cost   not started", "  [x] ch01.sigmoid    passed (4 tests)",
                           "  ch01   0/3  [...]  Old title", "  total 1/3", "0 of 3 exercises of chapter 1 done.")
        problems = "\n".join(readme.check_readme(self.course, text))
        self.assertIn("says 'Your workspace has 3 exercises in 1 chapter', but the course has 2 exercises", problems)
        self.assertIn("shows 'ch01 0/3', but ch01 has 2 exercises", problems)
        self.assertIn("shows 'total 1/3', but the course has 2", problems)
        self.assertIn("says chapter 1 has 3 exercises, but it has 2", problems)
        self.assertIn("the tool prints the chapter's title: '01_fixture'", problems)
        self.assertIn("says ch01.sigmoid passed 4 tests, but its suite has 1", problems)
        self.assertIn("lists ch01.sigmoid after ch01.cost, but the tool lists it before", problems)
        self.assertRegex(problems, r"README.md:9: ")  # where: the line of the README

    def test_a_chapter_missing_from_the_progress_sample(self):
        (self.fc.dir / "chapters/02_more").mkdir(parents=True)
        (self.fc.dir / "chapters/02_more/more.hpp").write_text(
            '#include "common/exercise.hpp"\nint f() {\n  // BEGIN EXERCISE ch02.f\n  // hint: h\n  return 1;\n'
            "  // END EXERCISE\n}\n", encoding="utf-8")
        text = self.readme("  ch01   0/2  [..]  01_fixture", "  total 0/3")
        self.assertEqual(readme.check_readme(course.Course(self.fc.dir), text),
                         ["README.md: the sample of './course check' (progress) has no row for ch02"])


class Order(unittest.TestCase):
    def setUp(self):
        self.fc = FixtureCourse("well_formed.hpp")  # ch01.sigmoid, then ch01.cost in the file

    def tearDown(self):
        self.fc.cleanup()

    def ids(self) -> list[str]:
        return [e.id for e in course.Course(self.fc.dir).chapters()["ch01"]]

    def test_the_lesson_order_then_dependencies_first(self):
        self.assertEqual(self.ids(), ["ch01.sigmoid", "ch01.cost"])  # no README: the file's order
        (self.fc.dir / CHAPTER / "README.md").write_text("# 1. Fixture\n\n| `ch01.cost` | ... |\n| `ch01.sigmoid` |\n",
                                                         encoding="utf-8")
        self.assertEqual(self.ids(), ["ch01.cost", "ch01.sigmoid"])  # the README's exercise list
        (self.fc.dir / "tools").mkdir()
        (self.fc.dir / course.DEPENDENCIES).write_text('{"runs": {"ch01_cost.X": ["ch01.sigmoid"]}}', encoding="utf-8")
        self.assertEqual(self.ids(), ["ch01.sigmoid", "ch01.cost"])  # cost's test runs sigmoid: sigmoid first


if __name__ == "__main__":
    unittest.main()
